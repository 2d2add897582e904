/**
 * Logins seen in recorded traffic, and the credentials a run supplies in their place. Redaction with
 * a hash key replaces each secret by a keyed hash ({@code [REDACTED:<hash>]}) that is equal wherever
 * the secret was: {@link dev.tapline.core.auth.AuthLinks} links the credential a request presented
 * ({@link dev.tapline.core.auth.CredentialForm}: an {@code Authorization} scheme, a cookie) to the
 * response that issued it ({@link dev.tapline.core.auth.TokenSource}: a JSON field, a {@code
 * Set-Cookie}) by that hash, and names each login a {@link dev.tapline.core.auth.LoginFlow}; testgen
 * writes tests that log in that way and replay logs in that way on both sides. Credentials come from
 * the run ({@link dev.tapline.core.auth.CredentialSource}: {@code tapline.auth.*} properties, {@code
 * TAPLINE_AUTH_*} variables), never from the recording. {@link
 * dev.tapline.core.auth.ClientCredentials} is the OAuth2 client-credentials grant, named instead of
 * recorded.
 */
@NullMarked
package dev.tapline.core.auth;

import org.jspecify.annotations.NullMarked;
