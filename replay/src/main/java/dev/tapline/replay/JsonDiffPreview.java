package dev.tapline.replay;

import com.fasterxml.jackson.databind.JsonNode;

/** A value as compact JSON, cut to a readable length for reports. */
final class JsonDiffPreview {
  private JsonDiffPreview() {}

  static String of(JsonNode n) {
    return of(n, 200);
  }

  static String of(JsonNode n, int max) {
    String s = n.toString();
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }
}
