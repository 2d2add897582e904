package dev.tapline.replay;

import java.util.Locale;

/** The lowest class of difference that fails the run ({@code --fail-on}). */
public enum FailOn {
  /** Only breaking differences fail the run (the default). */
  BREAKING,
  /** Breaking and compatible differences fail the run. */
  COMPATIBLE,
  /** Nothing fails the run on drift; a target failure still does. */
  NONE;

  /** True when a difference of class {@code c} fails a run with this threshold. */
  public boolean fails(DriftClass c) {
    return switch (this) {
      case BREAKING -> c == DriftClass.BREAKING;
      case COMPATIBLE -> true;
      case NONE -> false;
    };
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code breaking}, {@code compatible} or {@code none} (any case). */
  public static FailOn parse(String s) {
    for (FailOn f : values()) {
      if (f.wireName().equalsIgnoreCase(s.trim())) {
        return f;
      }
    }
    throw new IllegalArgumentException("--fail-on must be breaking, compatible or none, got \"" + s + "\"");
  }
}
