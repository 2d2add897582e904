/**
 * A GraphQL schema as every stage reads it ({@link dev.tapline.core.graphql.GraphqlSchema}): SDL or
 * an introspection result, graphql-java's schema without resolvers, the validation of recorded
 * operations against it.
 */
@NullMarked
package dev.tapline.core.graphql;

import org.jspecify.annotations.NullMarked;
