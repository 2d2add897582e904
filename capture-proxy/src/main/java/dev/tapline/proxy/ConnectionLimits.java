package dev.tapline.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps on open client connections, in total and per client IP address, checked once per connection
 * as it is accepted: one client cannot take every socket and event-loop slot, and the proxy as a
 * whole stays within its file descriptors. Shared by every event loop.
 */
final class ConnectionLimits {

  /** Whether a connection may stay, as data; the refusals are counted by their tag. */
  enum Admission {
    ADMITTED(""),
    /** {@link ProxyConfig#maxConnections()} connections are open. */
    TOTAL_LIMIT("total_limit"),
    /** {@link ProxyConfig#maxConnectionsPerAddress()} connections from the client's address are open. */
    ADDRESS_LIMIT("address_limit");

    final String tag;

    Admission(String tag) {
      this.tag = tag;
    }
  }

  private final int maxTotal;
  private final int maxPerAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> byAddress = new ConcurrentHashMap<>();

  ConnectionLimits(int maxTotal, int maxPerAddress) {
    this.maxTotal = maxTotal;
    this.maxPerAddress = maxPerAddress;
  }

  /**
   * Counts {@code ch} against the caps until it closes, or refuses it (and counts nothing).
   * Call once, when the connection is accepted.
   */
  Admission admit(Channel ch) {
    if (open.incrementAndGet() > maxTotal) {
      open.decrementAndGet();
      return Admission.TOTAL_LIMIT;
    }
    InetAddress address = address(ch.remoteAddress());
    if (address != null && byAddress.merge(address, 1, Integer::sum) > maxPerAddress) {
      release(address);
      open.decrementAndGet();
      return Admission.ADDRESS_LIMIT;
    }
    ch.closeFuture().addListener((ChannelFutureListener) f -> {
      if (address != null) {
        release(address);
      }
      open.decrementAndGet();
    });
    return Admission.ADMITTED;
  }

  /** Client connections open now. */
  int open() {
    return open.get();
  }

  private void release(InetAddress address) {
    byAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
  }

  private static @org.jspecify.annotations.Nullable InetAddress address(SocketAddress a) {
    return a instanceof InetSocketAddress i ? i.getAddress() : null;
  }
}
