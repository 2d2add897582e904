package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real gRPC (grpc-java, a tiny service defined without protoc: byte-array messages) through the
 * proxy: h2c and TLS towards the client, h2c towards the upstream. Unary and server-streaming calls,
 * an error status (a trailers-only response), a routing key in the metadata; the captures carry the
 * protocol, the gRPC content type, binary bodies and the trailers.
 */
class GrpcProxyTest {
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  static final MethodDescriptor<byte[], byte[]> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<byte[], byte[]> FAIL = method("Fail", MethodDescriptor.MethodType.UNARY);
  static final MethodDescriptor<byte[], byte[]> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);

  @TempDir static Path dir;
  static Server baseline;
  static Server sandbox;
  static final List<Exchange> seen = new CopyOnWriteArrayList<>();
  static CaptureProxy plain;
  static CaptureProxy tls;
  static TestCerts certs;

  static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("test.Echo", name))
        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  static Server server(String name) throws IOException {
    ServerServiceDefinition echo = ServerServiceDefinition.builder("test.Echo")
        .addMethod(SAY, ServerCalls.asyncUnaryCall((req, out) -> {
          out.onNext((name + ":" + new String(req, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
          out.onCompleted();
        }))
        .addMethod(FAIL, ServerCalls.asyncUnaryCall((req, out) ->
            out.onError(Status.NOT_FOUND.withDescription("no order " + new String(req, StandardCharsets.UTF_8)).asRuntimeException())))
        .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((req, out) -> {
          for (int i = 1; i <= 3; i++) {
            out.onNext(("n" + i).getBytes(StandardCharsets.UTF_8));
          }
          out.onCompleted();
        }))
        .build();
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(echo).build().start();
  }

  @BeforeAll
  static void start() throws Exception {
    baseline = server("baseline");
    sandbox = server("sandbox");
    certs = TestCerts.make(dir, "grpc-proxy", "SAN=ip:127.0.0.1,dns:localhost");
    ProxyConfig.Builder b = ProxyConfig.builder().service("echo")
        .baseline(java.net.URI.create("http://127.0.0.1:" + baseline.getPort()))
        .sandbox("pr-7", java.net.URI.create("http://127.0.0.1:" + sandbox.getPort()))
        .capture(CapturePolicy.ALL).sink(ExchangeSink.custom(seen::add));
    plain = CaptureProxy.start(b.build());
    tls = CaptureProxy.start(b.tls(certs.pem(), certs.keyPem()).build());
  }

  @AfterAll
  static void stop() throws InterruptedException {
    plain.close();
    tls.close();
    baseline.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    sandbox.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  static ManagedChannel h2c(CaptureProxy p) {
    return NettyChannelBuilder.forAddress("127.0.0.1", p.port()).usePlaintext().build();
  }

  static CallOptions deadline() {
    return CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void unaryCallsOverH2cAreForwardedAndCapturedWithTheirTrailers() throws Exception {
    ManagedChannel ch = h2c(plain);
    try {
      byte[] reply = ClientCalls.blockingUnaryCall(ch, SAY, deadline(), "hello".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("baseline:hello");
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    Exchange e = captured("/test.Echo/Say");
    assertThat(e.protocol()).isEqualTo(Exchange.HTTP_2);
    assertThat(e.request().method()).isEqualTo("POST");
    assertThat(e.request().body().contentType()).isEqualTo("application/grpc");
    // gRPC's length prefix, then the message.
    assertThat(e.request().body().bytes()).startsWith(0, 0, 0, 0, 5).endsWith("hello".getBytes(StandardCharsets.UTF_8));
    assertThat(e.status()).isEqualTo(200);
    assertThat(e.response().body().contentType()).isEqualTo("application/grpc");
    assertThat(e.response().trailers().first("grpc-status")).isEqualTo("0");
    assertThat(new String(ExchangeCodec.encode(e), StandardCharsets.UTF_8)).contains("\"base64\"")
        .contains("\"protocol\":\"HTTP/2\"").contains("\"trailers\":[[\"grpc-status\",\"0\"]");
  }

  @Test
  void anErrorStatusReachesTheClientAsGrpcStatusAndMessage() throws Exception {
    ManagedChannel ch = h2c(plain);
    try {
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, FAIL, deadline(), "42".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOfSatisfying(StatusRuntimeException.class, ex -> {
            assertThat(ex.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(ex.getStatus().getDescription()).isEqualTo("no order 42");
          });
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    Exchange e = captured("/test.Echo/Fail");
    // A trailers-only response: the status comes with the headers.
    String status = e.response().trailers().isEmpty() ? e.response().headers().first("grpc-status")
        : e.response().trailers().first("grpc-status");
    assertThat(status).isEqualTo("5");
  }

  @Test
  void serverStreamingOverTlsAndARoutingKeyInTheMetadata() throws Exception {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", tls.port())
        .sslContext(GrpcSslContexts.forClient().trustManager(certs.pem().toFile()).build()).build();
    try {
      Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(ch, COUNT, deadline(), new byte[0]);
      List<String> got = new ArrayList<>();
      it.forEachRemaining(m -> got.add(new String(m, StandardCharsets.UTF_8)));
      assertThat(got).containsExactly("n1", "n2", "n3");

      Metadata md = new Metadata();
      md.put(Metadata.Key.of("x-routing-key", Metadata.ASCII_STRING_MARSHALLER), "pr-7");
      byte[] reply = ClientCalls.blockingUnaryCall(
          io.grpc.ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(md)), SAY, deadline(),
          "routed".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("sandbox:routed");
    } finally {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    Exchange count = captured("/test.Echo/Count");
    assertThat(count.request().scheme()).isEqualTo("https");
    assertThat(count.protocol()).isEqualTo(Exchange.HTTP_2);
    assertThat(count.response().trailers().first("grpc-status")).isEqualTo("0");
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().anyMatch(e -> "pr-7".equals(e.routingKey())));
    Exchange routed = seen.stream().filter(e -> "pr-7".equals(e.routingKey())).findFirst().orElseThrow();
    assertThat(routed.target()).isEqualTo("sandbox:pr-7");
  }

  private static Exchange captured(String path) {
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream().anyMatch(e -> path.equals(e.request().path())));
    return seen.stream().filter(e -> path.equals(e.request().path())).findFirst().orElseThrow();
  }
}
