package dev.tapline.proxy;

/** What a mock rule answers: a given response, or a recorded exchange's read from the recorder. */
sealed interface MockAnswer {

  /** The response given in the rule, built when the route was set. */
  record Given(CannedResponse response) implements MockAnswer {}

  /** The response of a recorded exchange, read by {@link RecordedMocks} when a request asks for it. */
  record Recorded(RouteSpec.Recorded which) implements MockAnswer {}
}
