package dev.tapline.core;

import dev.tapline.core.redact.Trigger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The triggers of all of a redactor's rules compiled into one scanner that reads a text once and
 * says which rules may match in it, as a bit set (one bit per rule).
 *
 * <p>One automaton: Aho-Corasick over the trigger words (ASCII, lower-cased; {@code _} and {@code -}
 * leave its state as it is), times a counter of the current digit run for the digit triggers. Each
 * byte is one look-up in a table of next states and one comparison: states where a word ends or a
 * run is long enough are numbered last. (Each look-up waits for the one before, so a long body is
 * read as two halves in one loop, split after a byte that is in no word.) Where a word ends, the
 * bits of the words ending there are set, after their
 * {@link Trigger.Word#confirmedAt confirm} where they have one. A body's bytes are scanned as they
 * are, without decoding: trigger words are ASCII, and a UTF-8 byte past ASCII is never part of one,
 * except in the two characters that lower-case to ASCII letters (U+0130 and U+212A), which the
 * scanner reports as {@link #FOLD} so that the decoded text is scanned instead.
 */
final class RuleScanner {
  /** The bytes hold U+0130 or U+212A (lower case: {@code i}, {@code k}): scan them as text instead. */
  static final long FOLD = 1L << 63;
  /** A NUL: the text may be UTF-16, where every ASCII character comes with one. */
  static final long NUL = 1L << 62;
  /** A JSON escape of an ASCII character ({@code \u0070}) or of U+0130 or U+212A: JSON strings must be decoded to be seen. */
  static final long ESCAPE = 1L << 61;
  /** A {@code %}: percent-encoded names and values must be decoded to be seen. */
  static final long PERCENT = 1L << 60;
  /** The bits that are signs about the text rather than rules. */
  static final long SIGNS = FOLD | NUL | ESCAPE | PERCENT;
  /** Rule bits: rule {@code i} has bit {@code min(i, RULE_BITS - 1)}; later rules share the last one. */
  static final int RULE_BITS = 56;

  /** A trigger of the rule whose bit is {@code bit}. */
  record Entry(Trigger trigger, long bit) {}

  private record Word(String text, long bit, Trigger.@Nullable Word confirm) {}

  private static final int OTHER = 0;
  private static final int UNDERSCORE = 1; // skipped by words, ends a digit run
  private static final int DASH = 2; // skipped by words, may stand between the digits of a run

  private final int k; // character classes: the columns of the table
  private final int[] classOf = new int[256];
  private final int[] next; // (state * k + class) -> next state * k
  private final int acceptFrom; // (state * k) at or past this: a word ended or a digit run is long enough
  private final long[] acceptBits; // by state: bits of the words ending there that need no confirm, and of digit runs
  private final Word @Nullable [][] confirms; // by state: words ending there to confirm first
  private final long always;

  private RuleScanner(List<Entry> entries) {
    List<Word> words = new ArrayList<>();
    long alwaysBits = 0;
    SortedMap<Integer, Long> digits = new TreeMap<>();
    for (Entry e : entries) {
      switch (e.trigger()) {
        case Trigger.Word w -> words.add(new Word(w.text(), e.bit(), w.wholeWord() || w.confirm() != null ? w : null));
        case Trigger.Digits d -> digits.merge(d.minRun(), e.bit(), (a, b) -> a | b);
        case Trigger.Always a -> alwaysBits |= e.bit();
      }
    }
    // UTF-8 of the two characters that lower-case to ASCII; only a byte scan sees these bytes.
    words.add(new Word("\u00c4\u00b0", FOLD, null));
    words.add(new Word("\u00e2\u0084\u00aa", FOLD, null));
    words.add(new Word("\u0000", NUL, null));
    for (char c = '0'; c <= '7'; c++) {
      words.add(new Word("\\u00" + c, ESCAPE, null));
    }
    words.add(new Word("\\u0130", ESCAPE, null));
    words.add(new Word("\\u212a", ESCAPE, null));
    words.add(new Word("%", PERCENT, null));
    this.always = alwaysBits;
    int longestRun = digits.isEmpty() ? 0 : digits.lastKey();

    // Character classes: one per character some word uses (ASCII capitals share their letter's),
    // and when digit runs are counted, one for the other digits and one for space.
    int classes = 3;
    classOf['_'] = UNDERSCORE;
    classOf['-'] = DASH;
    for (Word w : words) {
      for (int i = 0; i < w.text().length(); i++) {
        char c = w.text().charAt(i);
        if (classOf[c] == OTHER) {
          classOf[c] = classes;
          if (c >= 'a' && c <= 'z') {
            classOf[c - 32] = classes;
          }
          classes++;
        }
      }
    }
    if (longestRun > 0) {
      int digitClass = classes++;
      for (char c = '0'; c <= '9'; c++) {
        if (classOf[c] == OTHER) {
          classOf[c] = digitClass;
        }
      }
      if (classOf[' '] == OTHER) {
        classOf[' '] = classes++;
      }
    }
    this.k = classes;
    int[] kindOf = new int[classes]; // for the digit counter: 0 other, 1 digit, 2 separator
    for (int c = 0; c < 256; c++) {
      if (c >= '0' && c <= '9') {
        kindOf[classOf[c]] = 1;
      } else if (c == ' ' || c == '-') {
        kindOf[classOf[c]] = 2;
      }
    }

    List<List<Word>> ends = new ArrayList<>();
    int[][] ac = wordAutomaton(words, classOf, classes, ends);

    // The word automaton times the digit counter, only the pairs reachable from the start: few,
    // since a digit takes almost every word state back to the root.
    Map<Long, Integer> index = new HashMap<>();
    List<int[]> pairs = new ArrayList<>(); // {word state, counter}
    List<int[]> rows = new ArrayList<>();
    index.put(0L, 0);
    pairs.add(new int[] {0, 0});
    for (int p = 0; p < pairs.size(); p++) {
      int[] row = new int[classes];
      for (int c = 0; c < classes; c++) {
        int a = ac[pairs.get(p)[0]][c];
        int q = longestRun == 0 ? 0 : count(pairs.get(p)[1], kindOf[c], longestRun);
        Integer to = index.get(((long) a << 32) | q);
        if (to == null) {
          to = pairs.size();
          index.put(((long) a << 32) | q, to);
          pairs.add(new int[] {a, q});
        }
        row[c] = to;
      }
      rows.add(row);
    }
    int n = pairs.size();
    long[] bitsOf = new long[n];
    Word[][] checksOf = new Word[n][];
    for (int p = 0; p < n; p++) {
      List<Word> toConfirm = new ArrayList<>();
      for (Word w : ends.get(pairs.get(p)[0])) {
        if (w.confirm() == null) {
          bitsOf[p] |= w.bit();
        } else {
          toConfirm.add(w);
        }
      }
      int run = pairs.get(p)[1] >> 1;
      for (Map.Entry<Integer, Long> d : digits.entrySet()) {
        if (run >= d.getKey()) {
          bitsOf[p] |= d.getValue();
        }
      }
      checksOf[p] = toConfirm.isEmpty() ? null : toConfirm.toArray(Word[]::new);
    }

    // Accepting states last, so one comparison per byte tells whether anything fired.
    int[] order = new int[n];
    int[] at = new int[n];
    int firstAccepting = n;
    int i = 0;
    for (int pass = 0; pass < 2; pass++) {
      for (int p = 0; p < n; p++) {
        boolean accepting = bitsOf[p] != 0 || checksOf[p] != null;
        if (accepting == (pass == 1)) {
          firstAccepting = pass == 1 ? Math.min(firstAccepting, i) : firstAccepting;
          at[p] = i;
          order[i++] = p;
        }
      }
    }
    this.acceptFrom = firstAccepting * classes;
    this.next = new int[n * classes];
    this.acceptBits = new long[n];
    Word[][] checks = new Word[n][];
    boolean anyCheck = false;
    for (int j = 0; j < n; j++) {
      int p = order[j];
      for (int c = 0; c < classes; c++) {
        next[j * classes + c] = at[rows.get(p)[c]] * classes;
      }
      acceptBits[j] = bitsOf[p];
      checks[j] = checksOf[p];
      anyCheck |= checksOf[p] != null;
    }
    this.confirms = anyCheck ? checks : null;
  }

  static RuleScanner compile(List<Entry> entries) {
    return new RuleScanner(entries);
  }

  /** The digit counter: the run's length times two, plus one right after a space or dash in it. */
  private static int count(int q, int kind, int longestRun) {
    int run = q >> 1;
    boolean afterSeparator = (q & 1) != 0;
    return switch (kind) {
      case 1 -> Math.min(run + 1, longestRun) << 1;
      case 2 -> run > 0 && !afterSeparator ? (run << 1) | 1 : 0;
      default -> 0;
    };
  }

  /**
   * Aho-Corasick over {@code words}: {@code [state][class] -> state}, where {@code _} and {@code -}
   * leave the state as it is; {@code ends} gets the words that end in each state.
   */
  private static int[][] wordAutomaton(List<Word> words, int[] classOf, int classes, List<List<Word>> ends) {
    List<int[]> go = new ArrayList<>();
    go.add(newRow(classes));
    ends.add(new ArrayList<>());
    for (Word w : words) {
      int s = 0;
      for (int i = 0; i < w.text().length(); i++) {
        int c = classOf[w.text().charAt(i)];
        if (go.get(s)[c] < 0) {
          go.get(s)[c] = go.size();
          go.add(newRow(classes));
          ends.add(new ArrayList<>());
        }
        s = go.get(s)[c];
      }
      ends.get(s).add(w);
    }
    int n = go.size();
    int[][] delta = new int[n][classes];
    int[] fail = new int[n];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int c = 0; c < classes; c++) {
      int child = go.get(0)[c];
      delta[0][c] = Math.max(child, 0);
      if (child > 0) {
        queue.add(child);
      }
    }
    delta[0][UNDERSCORE] = 0;
    delta[0][DASH] = 0;
    while (!queue.isEmpty()) {
      int s = queue.poll();
      ends.get(s).addAll(ends.get(fail[s]));
      for (int c = 0; c < classes; c++) {
        int child = go.get(s)[c];
        if (c == UNDERSCORE || c == DASH) {
          delta[s][c] = s;
        } else if (child >= 0) {
          fail[child] = delta[fail[s]][c];
          delta[s][c] = child;
          queue.add(child);
        } else {
          delta[s][c] = delta[fail[s]][c];
        }
      }
    }
    return delta;
  }

  private static int[] newRow(int classes) {
    int[] row = new int[classes];
    Arrays.fill(row, -1);
    return row;
  }

  /** The bits of the rules that may match in {@code b}, and {@link #FOLD}; 0 when none can. */
  long scan(byte[] b) {
    // Each byte's look-up waits for the previous one's: two halves scanned in one loop overlap
    // those waits. A byte of no word (a quote, a comma) takes every state back to the start, so a
    // half starting right after one reads exactly as the whole would there.
    int n = b.length;
    int split = n >>> 1;
    int floor = Math.max(split - 256, 1);
    while (split > floor && classOf[b[split - 1] & 0xff] != OTHER) {
      split--;
    }
    if (n < 128 || classOf[b[split - 1] & 0xff] != OTHER) {
      return scan(b, 0, n);
    }
    final int[] next = this.next;
    final int[] classOf = this.classOf;
    final int acceptFrom = this.acceptFrom;
    long bits = always;
    int s1 = 0;
    int s2 = 0;
    int i = 0;
    int j = split;
    for (int end = Math.min(split, n - split); i < end; i++, j++) {
      s1 = next[s1 + classOf[b[i] & 0xff]];
      s2 = next[s2 + classOf[b[j] & 0xff]];
      if (s1 >= acceptFrom) {
        bits |= accept(s1, b, null, i + 1);
      }
      if (s2 >= acceptFrom) {
        bits |= accept(s2, b, null, j + 1);
      }
    }
    return bits | scan(b, i, split, s1) | scan(b, j, n, s2);
  }

  private long scan(byte[] b, int from, int to) {
    return always | scan(b, from, to, 0);
  }

  /** The same as {@link #scan(byte[])}, in one pass from the first byte to the last. For tests. */
  long scanSerially(byte[] b) {
    return scan(b, 0, b.length);
  }

  /** The bits fired in {@code b[from, to)} starting in state {@code s} (times k). */
  private long scan(byte[] b, int from, int to, int s) {
    final int[] next = this.next;
    final int[] classOf = this.classOf;
    final int acceptFrom = this.acceptFrom;
    long bits = 0;
    for (int i = from; i < to; i++) {
      s = next[s + classOf[b[i] & 0xff]];
      if (s >= acceptFrom) {
        bits |= accept(s, b, null, i + 1);
      }
    }
    return bits;
  }

  /** The bits of the rules that may match in {@code text}; never {@link #FOLD}. */
  long scan(CharSequence text) {
    final int[] next = this.next;
    final int acceptFrom = this.acceptFrom;
    long bits = always;
    int s = 0;
    for (int i = 0, n = text.length(); i < n; i++) {
      s = next[s + classOf(text.charAt(i))];
      if (s >= acceptFrom) {
        bits |= accept(s, null, text, i + 1);
      }
    }
    return bits & ~FOLD;
  }

  private int classOf(char c) {
    if (c < 128) {
      return classOf[c];
    }
    char lower = Character.toLowerCase(c);
    return lower < 128 ? classOf[lower] : OTHER;
  }

  private long accept(int s, byte @Nullable [] bytes, @Nullable CharSequence text, int end) {
    int state = s / k;
    long bits = acceptBits[state];
    Word[] toConfirm = confirms == null ? null : confirms[state];
    if (toConfirm != null) {
      CharSequence t = text != null ? text : new Latin1(bytes);
      for (Word w : toConfirm) {
        if ((bits & w.bit()) == 0 && w.confirm().confirmedAt(t, startOf(t, end, w.text().length()), end)) {
          bits |= w.bit();
        }
      }
    }
    return bits;
  }

  /** Where a word of {@code length} characters ending at {@code end} starts, skipping {@code _} and {@code -}. */
  private static int startOf(CharSequence t, int end, int length) {
    int i = end;
    for (int seen = 0; seen < length && i > 0; ) {
      char c = t.charAt(--i);
      if (c != '_' && c != '-') {
        seen++;
      }
    }
    return i;
  }

  /** Bytes seen as characters, one each: a byte past ASCII is a character past ASCII. */
  private record Latin1(byte[] b) implements CharSequence {
    @Override
    public int length() {
      return b.length;
    }

    @Override
    public char charAt(int i) {
      return (char) (b[i] & 0xff);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
      return new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
      return new String(b, StandardCharsets.ISO_8859_1);
    }
  }
}
