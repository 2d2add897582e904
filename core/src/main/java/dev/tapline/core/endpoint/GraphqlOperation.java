package dev.tapline.core.endpoint;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import graphql.language.AstPrinter;
import graphql.language.Document;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One GraphQL operation a request carries, as {@link GraphqlResolver} read it: a POST body's {@code
 * {"query", "operationName", "variables"}} (one element of a batch), or a GET's query parameters.
 *
 * @param type {@code query}, {@code mutation} or {@code subscription}
 * @param name the operation's name, or {@code anonymous_<hash>} for an unnamed one, where the hash is
 *     of the whole document printed compact by graphql-java ({@link #anonymousName})
 * @param fields the root fields selected (through fragments too), in document order, no repeats,
 *     {@code __typename} left out
 * @param query the document as the client sent it
 * @param document the parsed document (graphql-java's AST, immutable)
 * @param variables the {@code variables} object as sent, or null
 */
public record GraphqlOperation(String type, String name, List<String> fields, String query, Document document,
    @Nullable JsonNode variables) {
  /** What an unnamed operation's name starts with. */
  public static final String ANONYMOUS = "anonymous_";

  public GraphqlOperation {
    requireNonNull(type, "type");
    requireNonNull(name, "name");
    fields = List.copyOf(requireNonNull(fields, "fields"));
    requireNonNull(query, "query");
    requireNonNull(document, "document");
  }

  /** {@code query GetUser}: what {@link EndpointKey#operation()} holds. */
  public String operation() {
    return type + " " + name;
  }

  /** True when the client did not name the operation. */
  public boolean anonymous() {
    return name.startsWith(ANONYMOUS);
  }

  /** The document printed by graphql-java, indented: what the UI shows. */
  public String pretty() {
    return AstPrinter.printAst(document).strip();
  }

  /** {@code anonymous_1a2b3c4d}: the first 8 hex digits of the SHA-256 of the compact document. */
  public static String anonymousName(Document document) {
    byte[] digest;
    try {
      digest = java.security.MessageDigest.getInstance("SHA-256")
          .digest(AstPrinter.printAstCompact(document).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    return ANONYMOUS + java.util.HexFormat.of().formatHex(digest, 0, 4);
  }
}
