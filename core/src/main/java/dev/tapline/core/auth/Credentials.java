package dev.tapline.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tapline.core.Body;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Header;
import dev.tapline.core.Request;
import dev.tapline.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads the credentials of a redacted exchange: which ones a request presented, and which ones a
 * response issued, each with the keyed hash its marker carries ({@code [REDACTED:<hash>]}).
 *
 * <pre>{@code
 * // Authorization: Bearer [REDACTED:0f3a9c2e71b4]   Cookie: SID=[REDACTED:7d1e02aa93c5]; lang=en
 * Credentials.presented(e.request());  // [Header(Authorization, "Bearer ") 0f3a9c2e71b4, Cookie(SID) 7d1e02aa93c5]
 * // {"access_token":"[REDACTED:0f3a9c2e71b4]","token_type":"[REDACTED:51c0e7d9a2f4]"}
 * Credentials.issued(login.response()); // [JsonField(access_token) 0f3a9c2e71b4, JsonField(token_type) 51c0e7d9a2f4]
 * }</pre>
 */
public final class Credentials {
  /** A keyed marker, the whole value: {@code [REDACTED:<12 hex digits>]}. */
  private static final Pattern KEYED = Pattern.compile("\\[REDACTED:([0-9a-f]{12})\\]");
  /** A header value that is a marker, after an optional scheme ({@code Bearer [REDACTED:..]}). */
  private static final Pattern HEADER = Pattern.compile("(?:([A-Za-z][A-Za-z0-9._~+-]{0,19}) +)?(\\[REDACTED(?::[0-9a-f]{12})?\\])");
  private static final int MAX_DEPTH = 4;
  private static final int MAX_BODY = 64 * 1024;

  private Credentials() {}

  /**
   * A credential a request presented.
   *
   * @param hash the keyed hash of its marker, or null when it was redacted without a key (then it
   *     cannot be linked)
   */
  public record Presented(CredentialForm form, @Nullable String hash) {}

  /** A credential a response issued, with its keyed hash. */
  public record Issued(TokenSource source, String hash) {}

  /** The keyed hash of a value that is exactly a keyed marker, else null. */
  public static @Nullable String hash(@Nullable String value) {
    if (value == null) {
      return null;
    }
    Matcher m = KEYED.matcher(value.trim());
    return m.matches() ? m.group(1) : null;
  }

  /** Whether a value is exactly a marker, keyed or not. */
  public static boolean isMarker(@Nullable String value) {
    if (value == null) {
      return false;
    }
    String v = value.trim();
    return v.equals("[REDACTED]") || KEYED.matcher(v).matches();
  }

  /** The credentials a request presented: headers whose value is a marker, cookies whose value is one. */
  public static List<Presented> presented(Request request) {
    List<Presented> out = new ArrayList<>();
    for (Header h : request.headers().entries()) {
      String name = h.name();
      if (name.equalsIgnoreCase("cookie")) {
        for (String pair : h.value().split(";")) {
          int eq = pair.indexOf('=');
          if (eq > 0 && isMarker(pair.substring(eq + 1))) {
            out.add(new Presented(new CredentialForm.Cookie(pair.substring(0, eq).trim()), hash(pair.substring(eq + 1))));
          }
        }
        continue;
      }
      Matcher m = HEADER.matcher(h.value().trim());
      if (m.matches()) {
        String scheme = m.group(1);
        out.add(new Presented(new CredentialForm.Header(name, scheme == null ? "" : scheme + " "), hash(m.group(2))));
      }
    }
    return out;
  }

  /**
   * The keyed credentials a response carries: string fields of its JSON body that are markers (the
   * whole value, at any depth through objects), the cookies its {@code Set-Cookie} headers set, and
   * other headers whose value is one.
   */
  public static List<Issued> issued(Response response) {
    List<Issued> out = new ArrayList<>();
    for (Header h : response.headers().entries()) {
      String lower = h.name().toLowerCase(Locale.ROOT);
      if (lower.equals("set-cookie")) {
        String first = h.value().split(";", 2)[0];
        int eq = first.indexOf('=');
        String hash = eq > 0 ? hash(first.substring(eq + 1)) : null;
        if (hash != null) {
          out.add(new Issued(new TokenSource.SetCookie(first.substring(0, eq).trim()), hash));
        }
        continue;
      }
      Matcher m = HEADER.matcher(h.value().trim());
      String hash = m.matches() ? hash(m.group(2)) : null;
      if (hash != null) {
        out.add(new Issued(new TokenSource.ResponseHeader(h.name()), hash));
      }
    }
    Body body = response.body();
    if (!body.isEmpty() && !body.truncated() && body.bytes().length <= MAX_BODY) {
      String text = body.textOrNull();
      JsonNode root = null;
      if (text != null && text.contains("[REDACTED:")) {
        try {
          root = ExchangeCodec.readTree(text);
        } catch (Exception notJson) {
          root = null;
        }
      }
      if (root != null) {
        collect(root, new ArrayList<>(), out, 0);
      }
    }
    return out;
  }

  private static void collect(JsonNode n, List<String> path, List<Issued> out, int depth) {
    if (!n.isObject() || depth > MAX_DEPTH) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      List<String> p = new ArrayList<>(path);
      p.add(e.getKey());
      JsonNode v = e.getValue();
      if (v.isTextual()) {
        String hash = hash(v.textValue());
        if (hash != null) {
          out.add(new Issued(new TokenSource.JsonField(p), hash));
        }
      } else if (v.isObject()) {
        collect(v, p, out, depth + 1);
      }
    }
  }
}
