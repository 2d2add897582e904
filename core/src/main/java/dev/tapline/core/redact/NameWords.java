package dev.tapline.core.redact;

/**
 * The words of a field name: runs of ASCII letters and digits, split where {@code _}, {@code -},
 * {@code .} or any other character stands, at camelCase ({@code userPin}: user, pin), before the
 * last capital of an acronym ({@code PINCode}: pin, code), and between letters and digits
 * ({@code cvv2}: cvv, 2). Non-ASCII characters separate words.
 */
final class NameWords {
  private NameWords() {}

  /** Whether a word starts or ends at {@code i} (0 and {@code s.length()} always do). */
  static boolean isBoundary(CharSequence s, int i) {
    int n = s.length();
    if (i <= 0 || i >= n) {
      return true;
    }
    char prev = s.charAt(i - 1);
    char cur = s.charAt(i);
    if (!isWordChar(prev) || !isWordChar(cur)) {
      return true;
    }
    boolean prevDigit = isDigit(prev);
    if (prevDigit != isDigit(cur)) {
      return true;
    }
    if (prevDigit) {
      return false;
    }
    if (isLower(prev) && isUpper(cur)) {
      return true;
    }
    // HTTPServer: a word starts at the S (upper, upper, then lower)
    return isUpper(prev) && isUpper(cur) && i + 1 < n && isLower(s.charAt(i + 1));
  }

  /** Whether {@code word} (lower-case ASCII) is one of the words of {@code name}. */
  static boolean hasWord(CharSequence name, String word) {
    int n = name.length();
    int len = word.length();
    for (int start = 0; start + len <= n; start++) {
      if (isWordChar(name.charAt(start)) && isBoundary(name, start) && isBoundary(name, start + len)
          && regionMatches(name, start, word)) {
        return true;
      }
    }
    return false;
  }

  // The word in the region, and no word boundary inside it (pIn is the words p and in).
  private static boolean regionMatches(CharSequence s, int start, String lowerWord) {
    for (int k = 0; k < lowerWord.length(); k++) {
      char c = s.charAt(start + k);
      if ((c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) != lowerWord.charAt(k) || (k > 0 && isBoundary(s, start + k))) {
        return false;
      }
    }
    return true;
  }

  static boolean isWordChar(char c) {
    return isDigit(c) || isLower(c) || isUpper(c);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isLower(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isUpper(char c) {
    return c >= 'A' && c <= 'Z';
  }
}
