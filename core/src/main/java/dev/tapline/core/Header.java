package dev.tapline.core;

import static java.util.Objects.requireNonNull;

/** One header line as it was seen on the wire; the name keeps its original case. */
public record Header(String name, String value) {
  public Header {
    requireNonNull(name, "name");
    requireNonNull(value, "value");
  }
}
