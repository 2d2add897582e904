package dev.tapline.replay;

/** Escaping for XML and HTML text and attributes; characters XML 1.0 forbids become U+FFFD. */
final class Xml {
  private Xml() {}

  static String escape(String s, boolean attribute) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = switch (c) {
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '&' -> "&amp;";
        case '"' -> attribute ? "&quot;" : null;
        case '\'' -> attribute ? "&#39;" : null;
        case '\n', '\r', '\t' -> attribute ? "&#" + (int) c + ";" : null;
        default -> (c < 0x20 || c == 0xFFFE || c == 0xFFFF) ? "\uFFFD" : null;
      };
      if (rep != null) {
        if (sb == null) {
          sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        }
        sb.append(rep);
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }
}
