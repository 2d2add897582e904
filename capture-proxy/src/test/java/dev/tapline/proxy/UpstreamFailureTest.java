package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.ExchangeError;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.net.ConnectException;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** What the client is told and what the capture records when an upstream gives no response. */
class UpstreamFailureTest {
  static final URI UP = URI.create("http://127.0.0.1:9");

  @Test
  void aRefusedConnectionIsA502NamingTheUpstream() {
    UpstreamFailure f = UpstreamFailure.of(new ConnectException("Connection refused"), ExchangeError.Kind.REFUSED, UP);
    assertThat(f).isEqualTo(new UpstreamFailure(502, ExchangeError.Kind.REFUSED, "connection refused", UP));
    assertThat(f.detail()).isEqualTo("upstream unavailable: connection refused");
    assertThat(f.error()).isEqualTo(new ExchangeError(ExchangeError.Kind.REFUSED, "connection refused (http://127.0.0.1:9)"));
  }

  @Test
  void aConnectOrHandshakeTimeoutIsA504WhateverTheCallerExpected() {
    assertThat(UpstreamFailure.of(new ConnectTimeoutException("x"), ExchangeError.Kind.REFUSED, UP))
        .isEqualTo(new UpstreamFailure(504, ExchangeError.Kind.TIMEOUT, "connect timed out", UP));
    UpstreamFailure tls = UpstreamFailure.of(new DecoderException(new SslHandshakeTimeoutException("x")), ExchangeError.Kind.RESET, UP);
    assertThat(tls.status()).isEqualTo(504);
    assertThat(tls.detail()).isEqualTo("upstream timed out: TLS handshake timed out");
  }

  @Test
  void aConnectionClosedWithoutACauseIsA502Reset() {
    assertThat(UpstreamFailure.of(null, ExchangeError.Kind.RESET, UP))
        .isEqualTo(new UpstreamFailure(502, ExchangeError.Kind.RESET, "connection closed before a response", UP));
  }
}
