/**
 * Notes: an example service that requires logging in, as most services do. {@link
 * dev.tapline.examples.notes.NotesService} issues short-lived bearer tokens ({@code POST /login},
 * and the OAuth2 client-credentials grant at {@code POST /oauth/token}) for its {@code /api} routes
 * and a session cookie ({@code POST /web/session}) for its {@code /web} routes; {@link
 * dev.tapline.examples.notes.NotesTraffic} drives a client that logs in, uses and refreshes them.
 */
@NullMarked
package dev.tapline.examples.notes;

import org.jspecify.annotations.NullMarked;
