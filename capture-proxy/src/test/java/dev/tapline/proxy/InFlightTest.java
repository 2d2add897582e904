package dev.tapline.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.proxy.InFlight.Phase;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The phases of one forwarded exchange. */
class InFlightTest {
  static final Upstream UP = Upstream.of(URI.create("http://127.0.0.1:8081"));

  static InFlight exchange(boolean webSocket) {
    InFlight x = new InFlight(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
        new Target.Baseline(null, UP), null, 0, webSocket, false);
    x.upstream = UP;
    x.keepAlive = true;
    return x;
  }

  @Test
  void awaitsTheResponseOnceTheRequestEndedAndThenResponds() {
    InFlight x = exchange(false);
    assertThat(x.phase).isEqualTo(Phase.SENDING);
    x.requestEnded();
    assertThat(x.phase).isEqualTo(Phase.AWAITING_RESPONSE);
    assertThat(x.replayable()).isTrue();
    x.responseStarted(200, true);
    assertThat(x.phase).isEqualTo(Phase.RESPONDING);
    assertThat(x.phase.requestComplete()).isTrue();
    assertThat(x.phase.responseStarted()).isTrue();
    assertThat(x.keepAlive).isTrue();
    assertThat(x.replayable()).isFalse();
  }

  @Test
  void aResponseBeforeTheRequestEndedKeepsTheRequestStreamingAndClosesTheClientConnectionAfter() {
    InFlight x = exchange(false);
    x.responseStarted(413, true);
    assertThat(x.phase).isEqualTo(Phase.RESPONDING_EARLY);
    assertThat(x.phase.requestComplete()).isFalse();
    assertThat(x.keepAlive).isFalse();
    x.requestEnded();
    assertThat(x.phase).isEqualTo(Phase.RESPONDING);
  }

  @Test
  void upgradesOnA101ToAWebSocketHandshakeOnly() {
    InFlight ws = exchange(true);
    ws.requestEnded();
    ws.responseStarted(101, false);
    assertThat(ws.phase).isEqualTo(Phase.UPGRADING);
    InFlight plain = exchange(false);
    plain.requestEnded();
    plain.responseStarted(101, false);
    assertThat(plain.phase).isEqualTo(Phase.RESPONDING);
  }

  @Test
  void replaysOnlyACompleteRequestWithoutABody() {
    InFlight x = exchange(false);
    assertThat(x.replayable()).isFalse();
    x.requestBodyBytes = 3;
    x.requestEnded();
    assertThat(x.replayable()).isFalse();
  }
}
