package dev.tapline.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 on raw sockets, for tests: what a client library would hide. {@link #read} is lenient
 * (any response it can frame); {@link #readStrict} fails on anything an RFC 9112 client could read
 * two ways, which is what the proxy must never send.
 */
final class RawHttp {
  private RawHttp() {}

  record Reply(int status, Map<String, String> headers, byte[] body) {
    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    JsonNode json() throws IOException {
      return TestUpstream.JSON.readTree(body);
    }
  }

  static Socket connect(int port) throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    return s;
  }

  static void send(Socket s, String text) throws IOException {
    send(s, text.getBytes(StandardCharsets.ISO_8859_1));
  }

  static void send(Socket s, byte[] bytes) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(bytes);
    out.flush();
  }

  static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c < 0 && b.size() == 0) {
      throw new IOException("connection closed");
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads one response: status, headers (lower-cased names), body by length, chunks or close. */
  static Reply read(InputStream in, boolean head) throws IOException {
    String status = line(in);
    Map<String, String> headers = new LinkedHashMap<>();
    String l;
    while (!(l = line(in)).isEmpty()) {
      int colon = l.indexOf(':');
      headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
    }
    int code = Integer.parseInt(status.split(" ")[1]);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (head || code < 200 || code == 204 || code == 304) {
      return new Reply(code, headers, new byte[0]);
    }
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      while (true) {
        int size = Integer.parseInt(line(in).split(";")[0].trim(), 16);
        if (size == 0) {
          while (!line(in).isEmpty()) {
            // trailers
          }
          break;
        }
        body.write(in.readNBytes(size));
        line(in);
      }
    } else if (headers.containsKey("content-length")) {
      body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
    } else {
      body.write(in.readAllBytes());
    }
    return new Reply(code, headers, body.toByteArray());
  }

  /** What a connection brought back: its responses, and whether it ended in a close. */
  record Conversation(List<Reply> replies, boolean closed) {
    List<Integer> statuses() {
      return replies.stream().map(Reply::status).toList();
    }
  }

  /**
   * Reads strictly framed responses until the server closes (or {@code max} came, or the read
   * times out: then {@code closed} is false).
   *
   * @throws MalformedResponse when a response could be read two ways
   */
  static Conversation readAll(Socket s, int max) throws IOException {
    InputStream in = new java.io.BufferedInputStream(s.getInputStream());
    List<Reply> replies = new ArrayList<>();
    try {
      while (replies.size() < max) {
        Reply r = readStrict(in);
        if (r == null) {
          return new Conversation(replies, true);
        }
        replies.add(r);
      }
      return new Conversation(replies, false);
    } catch (SocketTimeoutException e) {
      return new Conversation(replies, false);
    } catch (java.net.SocketException e) {
      // A reset after the last response: the proxy closed with bytes of ours still unread.
      return new Conversation(replies, true);
    }
  }

  /** A response the proxy sent that an HTTP/1.1 client could not read in exactly one way. */
  static final class MalformedResponse extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedResponse(String message) {
      super(message);
    }
  }

  /**
   * One response framed by RFC 9112's rules alone: status line {@code HTTP/1.1 DDD reason}, header
   * fields {@code token ":" OWS value} with no control characters or folding, at most one {@code
   * Content-Length}, not both it and {@code Transfer-Encoding}, chunks with valid sizes. Null when
   * the connection ends before a response starts. A response to HEAD has no body: {@link
   * StrictUpstream} says which ones are, in {@code X-Strict-Method}.
   */
  static @Nullable Reply readStrict(InputStream in) throws IOException {
    String status = strictLine(in, true);
    if (status == null) {
      return null;
    }
    if (!status.matches("HTTP/1\\.1 [1-5][0-9][0-9] [\\t\\x20-\\x7e\\x80-\\xff]*")) {
      throw new MalformedResponse("bad status line: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    int lengths = 0;
    String l;
    while (!(l = requireLine(in)).isEmpty()) {
      int colon = l.indexOf(':');
      if (colon <= 0 || !l.substring(0, colon).matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
        throw new MalformedResponse("bad header line: " + l);
      }
      String value = l.substring(colon + 1).strip();
      if (!value.matches("[\\x20-\\x7e\\t\\x80-\\xff]*")) {
        throw new MalformedResponse("control character in header: " + l);
      }
      String name = l.substring(0, colon).toLowerCase(Locale.ROOT);
      if (name.equals("content-length")) {
        lengths++;
      }
      headers.merge(name, value, (a, b) -> a + ", " + b);
    }
    String te = headers.get("transfer-encoding");
    String cl = headers.get("content-length");
    if (lengths > 1 || (cl != null && te != null) || (cl != null && !cl.matches("[0-9]{1,18}"))
        || (te != null && !te.equalsIgnoreCase("chunked"))) {
      throw new MalformedResponse("ambiguous framing: content-length " + cl + " (" + lengths + " fields),"
          + " transfer-encoding " + te);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (code < 200 || code == 204 || code == 304 || "HEAD".equals(headers.get("x-strict-method"))) {
      return new Reply(code, headers, new byte[0]);
    }
    if (te != null) {
      while (true) {
        String sizeLine = requireLine(in);
        if (!sizeLine.matches("[0-9a-fA-F]{1,8}(;.*)?")) {
          throw new MalformedResponse("bad chunk size line: " + sizeLine);
        }
        int size = Integer.parseInt(sizeLine.split(";")[0], 16);
        if (size == 0) {
          while (!requireLine(in).isEmpty()) {
            // trailers
          }
          break;
        }
        byte[] chunk = in.readNBytes(size);
        if (chunk.length < size) {
          throw new java.net.SocketException("closed mid-chunk");
        }
        body.write(chunk);
        if (!requireLine(in).isEmpty()) {
          throw new MalformedResponse("chunk data not followed by CRLF");
        }
      }
    } else if (cl != null) {
      int n = Integer.parseInt(cl);
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new java.net.SocketException("closed mid-body");
      }
      body.write(b);
    } else {
      body.write(in.readAllBytes());
    }
    return new Reply(code, headers, body.toByteArray());
  }

  private static String requireLine(InputStream in) throws IOException {
    String l = strictLine(in, false);
    if (l == null) {
      throw new java.net.SocketException("closed mid-response");
    }
    return l;
  }

  /** A CRLF-terminated line; a bare LF or CR is malformed. Null at a clean end of stream. */
  private static @Nullable String strictLine(InputStream in, boolean mayEnd) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\r') {
        if (in.read() != '\n') {
          throw new MalformedResponse("CR not followed by LF after: " + b.toString(StandardCharsets.ISO_8859_1));
        }
        return b.toString(StandardCharsets.ISO_8859_1);
      }
      if (c == '\n') {
        throw new MalformedResponse("bare LF after: " + b.toString(StandardCharsets.ISO_8859_1));
      }
      b.write(c);
    }
    if (b.size() == 0 && mayEnd) {
      return null;
    }
    throw new java.net.SocketException("closed mid-line");
  }
}
