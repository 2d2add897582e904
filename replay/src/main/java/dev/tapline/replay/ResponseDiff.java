package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Headers;
import dev.tapline.core.Response;
import dev.tapline.core.endpoint.PathTemplater;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Compares two HTTP responses the way a client sees them: status, content type, the headers clients
 * rely on ({@code Location}, {@code Cache-Control}, {@code ETag} presence, {@code Link} relations) and
 * the body (a JSON tree diff, or equality for anything else).
 */
final class ResponseDiff {
  static final String STATUS = "status";
  static final String CONTENT_TYPE = "header:Content-Type";
  private static final Pattern LINK_REL = Pattern.compile("rel\\s*=\\s*\"?([^\";,]+)\"?", Pattern.CASE_INSENSITIVE);

  private ResponseDiff() {}

  /** A response parsed once: its JSON tree when it has one. */
  record Parsed(int status, Headers headers, @Nullable String mime, @Nullable JsonNode json, byte[] bytes) {
    static Parsed of(Response r) {
      String ct = r.headers().first("Content-Type");
      if (ct == null) {
        ct = r.body().contentType();
      }
      String mime = ResponseDiff.mime(ct);
      byte[] bytes = r.body().bytes();
      JsonNode json = null;
      if (bytes.length > 0 && (isJsonMime(mime) || looksLikeJson(bytes))) {
        try {
          json = ExchangeCodec.mapper().readTree(bytes);
        } catch (Exception e) {
          json = null;
        }
      }
      return new Parsed(r.status(), r.headers(), mime, json, bytes);
    }

    /**
     * Item {@code i} of a GraphQL batch's answer (an array of {@code n} responses); the whole
     * response when it is not such an array (an error for the whole batch). A batch has one status
     * for all its items, the worst (Apollo answers 400 when one item fails validation): an item that
     * has data counts as a 200 of its own.
     */
    Parsed part(int i, int n) {
      if (n <= 1 || json == null || !json.isArray() || json.size() != n) {
        return this;
      }
      JsonNode item = json.get(i);
      int itemStatus = status / 100 != 2 && item.hasNonNull("data") ? 200 : status;
      return new Parsed(itemStatus, headers, mime, item, item.toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  static List<RawDiff> diff(Parsed a, Parsed b) {
    return diff(a, b, false);
  }

  /**
   * @param graphql compare the bodies as GraphQL responses ({@link GraphqlDiff}): {@code errors} by
   *     message and path, {@code extensions} not at all; a changed status does not end the
   *     comparison there, since a GraphQL server's errors say more than its status
   */
  static List<RawDiff> diff(Parsed a, Parsed b, boolean graphql) {
    List<RawDiff> out = new ArrayList<>();
    boolean bodiesSay = graphql && a.json() != null && b.json() != null;
    if (a.status() != b.status()) {
      int ca = a.status() / 100;
      int cb = b.status() / 100;
      IntNode sa = IntNode.valueOf(a.status());
      IntNode sb = IntNode.valueOf(b.status());
      if (ca == 2 && (b.status() == 404 || b.status() == 405 || b.status() == 410)) {
        out.add(new RawDiff(STATUS, DiffKind.ENDPOINT_GONE, sa, sb, "endpoint gone: " + a.status() + " became " + b.status()));
        return out;
      }
      if (ca != cb) {
        out.add(new RawDiff(STATUS, DiffKind.STATUS_CLASS_CHANGED, sa, sb,
            "status class changed: " + a.status() + " became " + b.status()));
        if (!bodiesSay) {
          return out;
        }
      } else {
        out.add(new RawDiff(STATUS, DiffKind.STATUS_CHANGED, sa, sb, "status " + a.status() + " became " + b.status()));
      }
    }
    if (!java.util.Objects.equals(a.mime(), b.mime())) {
      if (a.mime() == null) {
        out.add(new RawDiff(CONTENT_TYPE, DiffKind.HEADER_ADDED, null, TextNode.valueOf(b.mime()), "Content-Type added: " + b.mime()));
      } else {
        out.add(new RawDiff(CONTENT_TYPE, DiffKind.CONTENT_TYPE_CHANGED, TextNode.valueOf(a.mime()), text(b.mime()),
            "content type changed from " + a.mime() + " to " + (b.mime() == null ? "none" : b.mime())));
        // A body in another format is not comparable field by field.
        return out;
      }
    }
    headers(a.headers(), b.headers(), out);
    body(a, b, graphql, out);
    return out;
  }

  private static void body(Parsed a, Parsed b, boolean graphql, List<RawDiff> out) {
    if (graphql && a.json() instanceof com.fasterxml.jackson.databind.node.ObjectNode oa
        && b.json() instanceof com.fasterxml.jackson.databind.node.ObjectNode ob) {
      GraphqlDiff.diff(oa, ob, out);
      return;
    }
    if (a.json() != null && b.json() != null) {
      out.addAll(JsonDiff.diff(a.json(), b.json()));
      return;
    }
    if (Arrays.equals(a.bytes(), b.bytes())) {
      return;
    }
    out.add(new RawDiff("$", DiffKind.BODY_CHANGED, bodyPreview(a.bytes()), bodyPreview(b.bytes()),
        "body changed (" + a.bytes().length + " bytes, now " + b.bytes().length + ")"));
  }

  private static void headers(Headers a, Headers b, List<RawDiff> out) {
    String la = a.first("Location");
    String lb = b.first("Location");
    if (la != null || lb != null) {
      String path = "header:Location";
      if (lb == null) {
        out.add(new RawDiff(path, DiffKind.HEADER_REMOVED, text(la), null, "Location header removed"));
      } else if (la == null) {
        out.add(new RawDiff(path, DiffKind.HEADER_ADDED, null, text(lb), "Location header added"));
      } else if (!locationTemplate(la).equals(locationTemplate(lb))) {
        out.add(new RawDiff(path, DiffKind.HEADER_CHANGED, text(la), text(lb),
            "Location now points at " + locationTemplate(lb) + " (was " + locationTemplate(la) + ")"));
      }
    }
    String ca = cacheControl(a.first("Cache-Control"));
    String cb = cacheControl(b.first("Cache-Control"));
    if (!ca.equals(cb)) {
      String path = "header:Cache-Control";
      if (ca.isEmpty()) {
        out.add(new RawDiff(path, DiffKind.HEADER_ADDED, null, text(cb), "Cache-Control added: " + cb));
      } else {
        out.add(new RawDiff(path, DiffKind.HEADER_CHANGED, text(ca), cb.isEmpty() ? null : text(cb),
            cb.isEmpty() ? "Cache-Control removed (was " + ca + ")" : "Cache-Control changed from " + ca + " to " + cb));
      }
    }
    boolean ea = a.contains("ETag");
    boolean eb = b.contains("ETag");
    if (ea && !eb) {
      out.add(new RawDiff("header:ETag", DiffKind.HEADER_REMOVED, text(a.first("ETag")), null, "ETag header removed"));
    } else if (!ea && eb) {
      out.add(new RawDiff("header:ETag", DiffKind.HEADER_ADDED, null, text(b.first("ETag")), "ETag header added"));
    }
    Set<String> ra = linkRels(a);
    Set<String> rb = linkRels(b);
    for (String rel : ra) {
      if (!rb.contains(rel)) {
        out.add(new RawDiff("header:Link[rel=" + rel + "]", DiffKind.HEADER_REMOVED, text(rel), null,
            "Link rel=" + rel + " removed"));
      }
    }
    for (String rel : rb) {
      if (!ra.contains(rel)) {
        out.add(new RawDiff("header:Link[rel=" + rel + "]", DiffKind.HEADER_ADDED, null, text(rel), "Link rel=" + rel + " added"));
      }
    }
  }

  /** The path template a Location points at; hosts differ between baseline and sandbox by design. */
  static String locationTemplate(String location) {
    String path = location;
    try {
      URI u = URI.create(location.trim());
      if (u.getRawPath() != null) {
        path = u.getRawPath();
      }
    } catch (IllegalArgumentException e) {
      int q = path.indexOf('?');
      path = q < 0 ? path : path.substring(0, q);
    }
    return PathTemplater.template(path);
  }

  private static String cacheControl(@Nullable String v) {
    if (v == null) {
      return "";
    }
    Set<String> parts = new TreeSet<>();
    for (String p : v.split(",")) {
      String t = p.trim().toLowerCase(Locale.ROOT);
      if (!t.isEmpty()) {
        parts.add(t);
      }
    }
    return String.join(", ", parts);
  }

  private static Set<String> linkRels(Headers h) {
    Set<String> rels = new LinkedHashSet<>();
    for (String v : h.all("Link")) {
      Matcher m = LINK_REL.matcher(v);
      while (m.find()) {
        for (String r : m.group(1).trim().split("\\s+")) {
          rels.add(r.toLowerCase(Locale.ROOT));
        }
      }
    }
    return rels;
  }

  static @Nullable String mime(@Nullable String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return null;
    }
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static boolean isJsonMime(@Nullable String mime) {
    return mime != null && (mime.equals("application/json") || mime.endsWith("+json"));
  }

  private static boolean looksLikeJson(byte[] b) {
    for (byte c : b) {
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        continue;
      }
      return c == '{' || c == '[';
    }
    return false;
  }

  private static @Nullable JsonNode text(@Nullable String s) {
    return s == null ? null : TextNode.valueOf(s);
  }

  private static JsonNode bodyPreview(byte[] bytes) {
    String s = new String(bytes, 0, Math.min(bytes.length, 512), StandardCharsets.UTF_8);
    return TextNode.valueOf(bytes.length > 512 ? s + "…" : s);
  }
}
