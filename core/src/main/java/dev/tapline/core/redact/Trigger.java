package dev.tapline.core.redact;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * A cheap sign that a rule may match somewhere in a text. The redactor compiles the triggers of all
 * its rules into one scanner that reads each body once, without decoding it, and runs a rule only on
 * texts where one of the rule's triggers was seen. A trigger may fire where its rule then finds
 * nothing, but it must fire wherever the rule would change something: a rule whose trigger misses
 * leaks.
 *
 * <ul>
 *   <li>{@link #word}: ASCII text seen ignoring ASCII case, with {@code _} and {@code -} in the
 *       scanned text skipped ({@code apikey} fires on {@code API_KEY} and {@code api-key}), optionally
 *       checked by a {@link Confirm} where it was seen;
 *   <li>{@link #wholeWord}: the same, only where it is a whole word of a name ({@code pin} in {@code
 *       userPin} or {@code card_pin}, not in {@code pinned} or {@code spinach});
 *   <li>{@link #digits}: a run of at least n digits, single spaces or dashes allowed between them;
 *   <li>{@link #always}: every text (a rule that cannot say; it then runs on every body).
 * </ul>
 */
public sealed interface Trigger {

  /** A word seen in a text, as the scanner compares it: lower case, without {@code _} and {@code -}. */
  record Word(String text, boolean wholeWord, @Nullable Confirm confirm) implements Trigger {
    public Word {
      requireNonNull(text, "text");
      StringBuilder b = new StringBuilder(text.length());
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c >= 128) {
          throw new IllegalArgumentException("trigger words are ASCII: " + text);
        }
        if (c != '_' && c != '-') {
          b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
      }
      if (b.isEmpty()) {
        throw new IllegalArgumentException("a trigger word needs a character other than _ and -: '" + text + "'");
      }
      text = b.toString();
    }

    /** Whether the word seen at {@code text[start, end)} counts (whole word, then the confirm). */
    public boolean confirmedAt(CharSequence text, int start, int end) {
      if (wholeWord && !(NameWords.isBoundary(text, start) && NameWords.isBoundary(text, end))) {
        return false;
      }
      return confirm == null || confirm.test(text, start, end);
    }
  }

  /** A run of at least {@code minRun} digits; single spaces or dashes may separate them. */
  record Digits(int minRun) implements Trigger {
    public Digits {
      if (minRun < 1) {
        throw new IllegalArgumentException("minRun must be positive: " + minRun);
      }
    }
  }

  /** Every text. */
  record Always() implements Trigger {}

  /**
   * Looks around where a trigger word was seen and says whether its rule could match there, e.g.
   * that a JWT's {@code eyJ} is followed by a dot. Runs on the scanner's hot path: no allocation, a
   * few characters of look-around. In a body read as bytes, a non-ASCII byte is one char
   * {@code >= 128}; treat such chars as "could be anything".
   */
  @FunctionalInterface
  interface Confirm {
    /** {@code text[start, end)} holds the word (with any skipped {@code _} and {@code -}). */
    boolean test(CharSequence text, int start, int end);
  }

  static Trigger word(String text) {
    return new Word(text, false, null);
  }

  static Trigger word(String text, Confirm confirm) {
    return new Word(text, false, requireNonNull(confirm, "confirm"));
  }

  static Trigger wholeWord(String text) {
    return new Word(text, true, null);
  }

  static Trigger digits(int minRun) {
    return new Digits(minRun);
  }

  static Trigger always() {
    return new Always();
  }
}
