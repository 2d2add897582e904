package dev.tapline.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Parsing helpers shared by the commands; each failure names the flag and the bad value. */
final class Cli {
  private Cli() {}

  /** An absolute http(s) URL. */
  static URI httpUri(String flag, String value) {
    try {
      URI u = new URI(value.trim());
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
        throw new UsageException(flag + " must be an http(s) URL like http://127.0.0.1:8080, got '" + value + "'");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new UsageException(flag + " is not a valid URL: '" + value + "' (" + e.getReason() + ")");
    }
  }

  /** An http(s) URL of a service root (no path or query): what the proxy forwards to. */
  static URI httpOrigin(String flag, String value) {
    URI u = httpUri(flag, value);
    String path = u.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || u.getRawQuery() != null) {
      throw new UsageException(flag + " must not have a path or query, got '" + value + "'");
    }
    return u;
  }

  /**
   * A capture proxy's admin API: {@code http(s)://host:port}, or {@code HOST:PORT} / {@code :PORT}
   * for {@code http://} on that address.
   */
  static URI adminUrl(String flag, String value) {
    String a = value.strip();
    if (!a.contains("://")) {
      HostPort hp = hostPort(flag, a);
      a = "http://" + (hp.host().contains(":") ? "[" + hp.host() + "]" : hp.host()) + ":" + hp.port();
    }
    return httpOrigin(flag, a);
  }

  /** A file the command must read, e.g. {@code --upstream-ca}; null (not given) passes through. */
  static @Nullable Path readableFile(String flag, @Nullable Path file) {
    if (file != null && !Files.isReadable(file)) {
      throw new UsageException(flag + " cannot be read: " + file);
    }
    return file;
  }

  /**
   * A token from {@code --token} or the first line of {@code --token-file} (not both); null for none.
   */
  static @Nullable String token(@Nullable String token, @Nullable Path file) {
    if (token != null && !token.isBlank() && file != null) {
      throw new UsageException("--token and --token-file exclude each other: give the token one way");
    }
    if (file != null) {
      try {
        String t = Files.readString(file).strip();
        int nl = t.indexOf('\n');
        t = (nl < 0 ? t : t.substring(0, nl)).strip();
        if (t.isEmpty()) {
          throw new UsageException("--token-file " + file + " is empty");
        }
        return t;
      } catch (java.io.IOException e) {
        throw new UsageException("--token-file cannot be read: " + file + " (" + e.getMessage() + ")", e);
      }
    }
    return token == null || token.isBlank() ? null : token.strip();
  }

  record HostPort(String host, int port) {
    /** Whether {@code host} is a loopback address (an unknown name is not). */
    static boolean loopback(@org.jspecify.annotations.Nullable String host) {
      if (host == null) {
        return true;
      }
      try {
        return java.net.InetAddress.getByName(host).isLoopbackAddress();
      } catch (java.net.UnknownHostException e) {
        return false;
      }
    }

    /**
     * Ends the command with one line naming the flag when the port is taken, before anything
     * starts (a server that fails to bind later would leave half a stack and pages of traces).
     */
    HostPort requireFree(String flag) {
      if (port != 0) {
        try (java.net.ServerSocket s = new java.net.ServerSocket()) {
          s.bind(new java.net.InetSocketAddress(host, port));
        } catch (java.io.IOException e) {
          throw new UsageException(flag + ": " + host + ":" + port + " is already in use"
              + (e instanceof java.net.BindException ? "" : " or cannot be bound (" + e.getMessage() + ")")
              + "; pick another port, or 0 for any free one");
        }
      }
      return this;
    }
  }

  /** {@code HOST:PORT}, {@code :PORT} or {@code PORT} (host defaults to 127.0.0.1); port 0 = any free one. */
  static HostPort hostPort(String flag, String value) {
    String v = value.trim();
    String host = "127.0.0.1";
    String port = v;
    int colon = v.lastIndexOf(':');
    if (colon >= 0) {
      host = colon == 0 ? host : v.substring(0, colon);
      port = v.substring(colon + 1);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
    }
    try {
      int p = Integer.parseInt(port);
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return new HostPort(host, p);
    } catch (NumberFormatException e) {
      throw new UsageException(flag + " must be HOST:PORT with a port from 0 to 65535, got '" + value + "'");
    }
  }
}
