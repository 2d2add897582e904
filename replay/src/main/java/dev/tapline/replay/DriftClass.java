package dev.tapline.replay;

import java.util.Locale;

/** How bad a difference is for the clients of the endpoint. */
public enum DriftClass {
  /** An existing client may break: something it read is gone, changed type, became null. */
  BREAKING,
  /** Existing clients keep working: something was added or a stable value changed. */
  COMPATIBLE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
