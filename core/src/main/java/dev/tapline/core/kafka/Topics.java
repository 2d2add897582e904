package dev.tapline.core.kafka;

/** Default topic names; every one is configurable where it is used. */
public final class Topics {
  public static final String EXCHANGES = "tapline.exchanges";
  public static final String EXCHANGES_DLQ = "tapline.exchanges.dlq";
  public static final String DRIFT = "tapline.drift";

  private Topics() {}
}
