package dev.tapline.replay;

/**
 * What changed between the baseline and the sandbox response. Each kind has a fixed {@link
 * DriftClass}; the table in {@code docs/DRIFT.md} lists them with examples.
 */
public enum DiffKind {
  STATUS_CLASS_CHANGED("status-class-changed", DriftClass.BREAKING, false),
  ENDPOINT_GONE("endpoint-gone", DriftClass.BREAKING, false),
  CONTENT_TYPE_CHANGED("content-type-changed", DriftClass.BREAKING, false),
  FIELD_REMOVED("field-removed", DriftClass.BREAKING, false),
  FIELD_RENAMED("field-renamed", DriftClass.BREAKING, false),
  TYPE_CHANGED("type-changed", DriftClass.BREAKING, false),
  NOW_NULL("now-null", DriftClass.BREAKING, false),
  HEADER_REMOVED("header-removed", DriftClass.BREAKING, false),
  /** A GraphQL response has an error the baseline's did not (by message and path). */
  GRAPHQL_ERROR("graphql-error", DriftClass.BREAKING, false),
  STATUS_CHANGED("status-changed", DriftClass.COMPATIBLE, true),
  FIELD_ADDED("field-added", DriftClass.COMPATIBLE, false),
  NO_LONGER_NULL("no-longer-null", DriftClass.COMPATIBLE, false),
  NEW_ENUM_VALUE("new-enum-value", DriftClass.COMPATIBLE, true),
  VALUE_CHANGED("value-changed", DriftClass.COMPATIBLE, true),
  HEADER_ADDED("header-added", DriftClass.COMPATIBLE, false),
  HEADER_CHANGED("header-changed", DriftClass.COMPATIBLE, true),
  BODY_CHANGED("body-changed", DriftClass.COMPATIBLE, true),
  /** A GraphQL error of the baseline's response is not in the sandbox's. */
  GRAPHQL_ERROR_GONE("graphql-error-gone", DriftClass.COMPATIBLE, false),
  /** The same items in another order: never drift, always reported as ignored. */
  REORDERED("reordered", DriftClass.COMPATIBLE, true);

  private final String wireName;
  private final DriftClass driftClass;
  private final boolean valueLevel;

  DiffKind(String wireName, DriftClass driftClass, boolean valueLevel) {
    this.wireName = wireName;
    this.driftClass = driftClass;
    this.valueLevel = valueLevel;
  }

  /** The name used in drift.json and the reports, e.g. {@code type-changed}. */
  public String wireName() {
    return wireName;
  }

  public DriftClass driftClass() {
    return driftClass;
  }

  /**
   * True when only a value differs (the shape is the same): such a difference is noise when the
   * baseline disagrees with itself, or with the recorded response, on the same path.
   */
  public boolean valueLevel() {
    return valueLevel;
  }

  public static DiffKind fromWireName(String s) {
    for (DiffKind k : values()) {
      if (k.wireName.equals(s)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown difference kind: " + s);
  }
}
