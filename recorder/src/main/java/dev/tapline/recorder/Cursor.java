package dev.tapline.recorder;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.util.BytesRef;

/**
 * The opaque paging cursor: the (time, id) of the last item shown. Sorting by time and then by the
 * unique id is a total order, so the next page starts exactly after it, whatever arrived meanwhile.
 */
final class Cursor {
  private Cursor() {}

  static String encode(long time, String id) {
    byte[] raw = (time + ":" + id).getBytes(StandardCharsets.UTF_8);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  /** The sort values to search after (the doc id is set per reader by the caller). */
  static FieldDoc decode(String cursor) {
    String raw;
    try {
      raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cursor is not one this server handed out: " + cursor);
    }
    int colon = raw.indexOf(':');
    if (colon <= 0 || colon == raw.length() - 1) {
      throw new IllegalArgumentException("cursor is not one this server handed out: " + cursor);
    }
    long time;
    try {
      time = Long.parseLong(raw.substring(0, colon));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("cursor is not one this server handed out: " + cursor);
    }
    return new FieldDoc(0, Float.NaN,
        new Object[] {time, new BytesRef(raw.substring(colon + 1))});
  }
}
