package dev.tapline.testgen;

/**
 * Java source literals that mean exactly the given text. Backslashes are doubled, so a recorded
 * {@code \u000a} can never become a unicode escape (javac translates those everywhere, comments
 * included); characters that are not safely printable become {@code \}{@code uXXXX} escapes.
 */
final class JavaLiterals {
  private JavaLiterals() {}

  /** A {@code "..."} literal. */
  static String string(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> appendChar(out, s, i, c);
      }
    }
    return out.append('"').toString();
  }

  /**
   * A text block for {@code s} when one can say it exactly, else a string literal (split after each
   * line break, joined with {@code +}): javac may strip or warn about non-ASCII
   * spaces inside text blocks, so text with any of those is written as a string literal.
   */
  static String bodyLiteral(String s) {
    if (textBlockSafe(s)) {
      return textBlock(s);
    }
    StringBuilder out = new StringBuilder();
    int start = 0;
    while (start < s.length()) {
      int nl = s.indexOf('\n', start);
      int end = nl < 0 ? s.length() : nl + 1;
      if (out.length() > 0) {
        out.append("\n+ ");
      }
      out.append(string(s.substring(start, end)));
      start = end;
    }
    return out.length() == 0 ? "\"\"" : out.toString();
  }

  static boolean textBlockSafe(String s) {
    // javac treats some non-ASCII spaces (U+2028, U+00A0...) as white space inside text blocks.
    for (int i = 0; i < s.length(); i++) {
      if (unicodeSpace(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean unicodeSpace(char c) {
    return c > 0x7f && (Character.isWhitespace(c) || Character.isSpaceChar(c));
  }

  /**
   * A text block whose value is exactly {@code s}, for code emitted at the given indentation
   * (JavaPoet re-indents every line of the block by the same amount, which stays incidental).
   */
  static String textBlock(String s) {
    String[] lines = s.split("\n", -1);
    boolean anchored = false;
    for (String line : lines) {
      if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
        anchored = true; // own indentation: anchor the incidental indentation on the closing line
        break;
      }
    }
    boolean endsWithNewline = s.endsWith("\n");
    StringBuilder out = new StringBuilder(s.length() + 16).append("\"\"\"\n");
    int last = endsWithNewline ? lines.length - 1 : lines.length;
    for (int li = 0; li < last; li++) {
      String line = lines[li];
      out.append(escapeTextBlockLine(line, li == last - 1 && !endsWithNewline));
      if (li < last - 1) {
        out.append('\n');
      }
    }
    if (endsWithNewline) {
      out.append('\n');
    } else if (anchored) {
      out.append("\\\n"); // the escaped line break is not part of the value
    }
    return out.append("\"\"\"").toString();
  }

  private static String escapeTextBlockLine(String line, boolean lastBeforeClose) {
    // Trailing white space would be stripped: escape the last white-space character of the line.
    int keep = line.length();
    String tail = "";
    if (keep > 0 && (line.charAt(keep - 1) == ' ' || line.charAt(keep - 1) == '\t' || line.charAt(keep - 1) == '\f')) {
      char c = line.charAt(keep - 1);
      tail = c == ' ' ? "\\s" : c == '\t' ? "\\t" : "\\f";
      keep--;
    }
    StringBuilder out = new StringBuilder(line.length() + 8);
    for (int i = 0; i < keep; i++) {
      char c = line.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\r' -> out.append("\\r");
        case '"' -> {
          // Never three unescaped quotes in a row, and never a quote right before the closing ones.
          boolean nextIsQuote = i + 1 < keep && line.charAt(i + 1) == '"';
          boolean atEnd = i + 1 == keep && tail.isEmpty() && lastBeforeClose;
          out.append(nextIsQuote || atEnd ? "\\\"" : "\"");
        }
        case '\t' -> out.append(i == 0 ? "\\t" : "\t"); // a leading tab would count as indentation
        default -> appendChar(out, line, i, c);
      }
    }
    return out.append(tail).toString();
  }

  private static void appendChar(StringBuilder out, String s, int i, char c) {
    if (c < 0x20 || c == 0x7f) {
      out.append(String.format("\\%03o", (int) c));
    } else if (c < 0x80) {
      out.append(c);
    } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
      // A well-formed pair: print the code point literally when it is a visible letter or symbol.
      int cp = s.codePointAt(i);
      if (printable(cp)) {
        out.append(c); // its low half follows on the next iteration and is appended the same way
      } else {
        unicode(out, c);
      }
    } else if (Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(s.charAt(i - 1))) {
      if (printable(s.codePointAt(i - 1))) {
        out.append(c);
      } else {
        unicode(out, c);
      }
    } else if (!Character.isSurrogate(c) && printable(c)) {
      out.append(c);
    } else {
      unicode(out, c);
    }
  }

  private static boolean printable(int cp) {
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
          Character.SPACE_SEPARATOR, Character.NON_SPACING_MARK, Character.ENCLOSING_MARK -> false;
      default -> true;
    };
  }

  private static void unicode(StringBuilder out, char c) {
    // Written as \\u + 4 hex digits: a real unicode escape, translated by javac to exactly c.
    out.append('\\').append('u').append(String.format("%04x", (int) c));
  }

  /** Text safe inside a Java comment: no comment terminator, no unicode escape, no line break. */
  static String comment(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
        out.append("* ");
      } else if (c == '\\') {
        out.append("%5C");
      } else if (c < 0x20 || c > 0x7e) {
        out.append('?');
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
