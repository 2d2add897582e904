package dev.tapline.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.List;
import java.util.Locale;

/**
 * The socket transport both sides of the proxy use. {@code auto} takes io_uring where the kernel
 * offers it (Linux 5.14+ and not blocked by a seccomp profile, as Docker's default one does), else
 * native epoll (Linux), else NIO. io_uring costs about a fifth less CPU per proxied request than
 * epoll here (docs/BENCHMARKS.md); epoll and NIO stay available by name.
 */
record Transport(String name, IoHandlerFactory factory, Class<? extends ServerChannel> serverChannel,
    Class<? extends SocketChannel> socketChannel) {

  static final String AUTO = "auto";
  static final List<String> NAMES = List.of(AUTO, "io_uring", "epoll", "nio");

  /** Returns the normalized name, or throws naming the accepted ones. */
  static String check(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (!NAMES.contains(n)) {
      throw new IllegalArgumentException("transport must be one of " + String.join(", ", NAMES) + ": " + name);
    }
    return n;
  }

  /**
   * @throws IllegalArgumentException when a transport asked for by name cannot load here (the
   *     message says why)
   */
  static Transport of(String name) {
    return switch (check(name)) {
      case "io_uring" -> {
        if (!IoUring.isAvailable()) {
          throw unavailable("io_uring", IoUring.unavailabilityCause());
        }
        yield ioUring();
      }
      case "epoll" -> {
        if (!Epoll.isAvailable()) {
          throw unavailable("epoll", Epoll.unavailabilityCause());
        }
        yield epoll();
      }
      case "nio" -> nio();
      default -> IoUring.isAvailable() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
    };
  }

  private static IllegalArgumentException unavailable(String name, Throwable cause) {
    return new IllegalArgumentException("transport " + name + " is not available here: " + cause.getMessage(), cause);
  }

  private static Transport ioUring() {
    return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class, IoUringSocketChannel.class);
  }

  private static Transport epoll() {
    return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
  }

  private static Transport nio() {
    return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
  }

  EventLoopGroup group(int threads, String name) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), factory);
  }
}
