/**
 * The clinic: a second example service with the habits of real third-party services (a context
 * path, per-table integer ids, nested resources, host-bearing links, RFC 7807 errors, a unique
 * field answering 409, ids parsed as int32), so the test generator is tried against something not
 * written to fit it. {@link dev.tapline.examples.clinic.ClinicService} serves it in two versions,
 * {@link dev.tapline.examples.clinic.ClinicTraffic} drives a realistic mix of calls against it.
 */
@NullMarked
package dev.tapline.examples.clinic;

import org.jspecify.annotations.NullMarked;
