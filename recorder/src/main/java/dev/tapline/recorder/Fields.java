package dev.tapline.recorder;

import java.util.Set;

/** Index field names: the names a user writes in a query, plus the recorder's own bookkeeping. */
final class Fields {
  static final String ID = "id";
  static final String SERVICE = "service";
  static final String ROUTING_KEY = "routingKey";
  static final String TARGET = "target";
  /** Whose request it was: {@code live}, or Tapline's own {@code replay}, {@code test}, {@code verify}. */
  static final String ORIGIN = "origin";
  static final String METHOD = "method";
  static final String PATH = "path";
  static final String TEMPLATE = "template";
  /** A GraphQL operation's name ({@code GetUser}); several for a batch. */
  static final String OPERATION = "operation";
  /** {@code query}, {@code mutation} or {@code subscription}. */
  static final String OPERATION_TYPE = "operationType";
  /** The root fields a GraphQL operation selects ({@code user}, {@code createUser}). */
  static final String FIELD = "field";
  /** Doc values only: {@code query GetUser}, what the catalog groups by and summaries carry. */
  static final String ENDPOINT_OPERATION = "endpointOperation";
  static final String HOST = "host";
  static final String STATUS = "status";
  static final String DURATION = "duration";
  static final String TIME = "time";
  static final String HEADER = "header";
  static final String BODY = "body";
  static final String ERROR = "error";
  /** Ingest sequence number: orders the live stream and lets a client resume after an event. */
  static final String SEQ = "seq";
  static final String REQUEST_SIZE = "requestSize";
  static final String RESPONSE_SIZE = "responseSize";
  /** The whole exchange in its wire form, stored compressed. */
  static final String SOURCE = "source";

  static final Set<String> INT_FIELDS = Set.of(STATUS);
  static final Set<String> LONG_FIELDS = Set.of(DURATION, TIME, SEQ);
  static final Set<String> ANALYZED = Set.of(BODY, HEADER);

  private Fields() {}
}
