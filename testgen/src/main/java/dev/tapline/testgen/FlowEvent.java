package dev.tapline.testgen;

import dev.tapline.core.endpoint.EndpointKey;

/**
 * A successful state change on a resource (a PATCH, PUT or POST on a path that carried its id),
 * kept so that a test of a later request can first bring a fresh resource into the same state.
 */
record FlowEvent(long startedAt, String exchangeId, EndpointKey endpoint, Candidate request)
    implements Comparable<FlowEvent> {
  @Override
  public int compareTo(FlowEvent o) {
    int c = Long.compare(startedAt, o.startedAt);
    return c != 0 ? c : exchangeId.compareTo(o.exchangeId);
  }
}
