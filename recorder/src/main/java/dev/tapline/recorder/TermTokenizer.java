package dev.tapline.recorder;

import java.io.IOException;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.util.ArrayUtil;

/**
 * The tokenizer of the full-text fields: one pass over the text that splits and lower-cases it,
 * with ASCII on a fast path (bodies are mostly JSON). Two rules:
 *
 * <ul>
 *   <li>{@link Rule#WORDS} ({@code body}): a term is a run of letters and digits; a single
 *       {@code - _ . @ : '} between two of them stays inside it. So an order id
 *       ({@code 22f083c2-801d-4d66-986d-9cff7b2293f2}), an email, a SKU ({@code SKU-1042-A}), a
 *       time stamp ({@code 2026-11-26T05:26:08.057Z}), a price or a version is one term, found
 *       exactly by a search for it, while {@code "out of stock."} is three words. Each ideograph
 *       (Chinese, Japanese kanji) is a term of its own, as Lucene's standard tokenizer does.
 *   <li>{@link Rule#SEPARATED} ({@code header}): a term is whatever lies between whitespace and
 *       the separators of structured header values ({@code , ; = "}), so {@code x-request-id},
 *       {@code application/json} and a trace id stay one term each.
 * </ul>
 *
 * <p>Lucene's {@code StandardTokenizer} (Unicode word breaks) cut ids, emails and time stamps into
 * several mostly unique terms, which made a search for one a phrase query and made indexing about
 * a tenth slower (docs/benchmarks-history.md, "Fifth pass"). A term is at most {@value #MAX_TERM} chars;
 * a longer run is cut into several.
 *
 * <p>The index keeps only which terms a text holds (no frequencies, no positions), so at index time
 * the tokenizer hands each ASCII term to Lucene once per text ({@link Mode#DISTINCT}): about half
 * the words of a JSON body are repeats (field names, enum values), and telling a repeat from a new
 * word in a small table of this text's words costs less than Lucene's lookup in the table of every
 * term of the segment. Queries and phrase confirmation see every word ({@link Mode#ALL}).
 */
final class TermTokenizer extends Tokenizer {
  static final int MAX_TERM = 255;
  // Bodies are read whole (they are in memory as a string already); a buffer grown past this
  // for one large body is not kept for the next.
  private static final int KEEP_BUFFER = 64 * 1024;
  private static final boolean[] WORD = new boolean[128];
  private static final boolean[] JOINER = new boolean[128];
  private static final boolean[] SEPARATOR = new boolean[128];

  static {
    for (char c = 0; c < 128; c++) {
      WORD[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      SEPARATOR[c] = Character.isWhitespace(c) || Character.isISOControl(c) || c == ',' || c == ';' || c == '='
          || c == '"';
    }
    for (char c : "-_.@:'".toCharArray()) {
      JOINER[c] = true;
    }
  }

  enum Rule {
    WORDS,
    SEPARATED
  }

  enum Mode {
    /** Every term, in order: for queries and phrases. */
    ALL,
    /** A term that already occurred in the same text is left out (not-ASCII terms are all kept). */
    DISTINCT
  }

  /** An analyzer of one rule; queries are normalized (lower-cased) the same way. */
  static Analyzer analyzer(Rule rule, Mode mode) {
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String fieldName) {
        return new TokenStreamComponents(new TermTokenizer(rule, mode));
      }

      @Override
      protected TokenStream normalize(String fieldName, TokenStream in) {
        return new LowerCaseFilter(in);
      }
    };
  }

  private final Rule rule;
  private final boolean distinct;
  private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
  private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
  private char[] buf = new char[4096];
  private int len;
  private int pos;

  // The ASCII terms of this text so far (DISTINCT): open addressing over where each stands in buf.
  // A slot is taken when its stamp is this text's: a new text needs no clearing.
  private static final int SLOTS = 512;
  private static final int KEEP_SLOTS = 16 * 1024;
  private int[] slotStamp = new int[SLOTS];
  private int[] slotStart = new int[SLOTS];
  private int[] slotLength = new int[SLOTS];
  private int[] slotHash = new int[SLOTS];
  private int stamp;
  private int taken;

  TermTokenizer(Rule rule, Mode mode) {
    this.rule = rule;
    this.distinct = mode == Mode.DISTINCT;
  }

  @Override
  public void reset() throws IOException {
    super.reset();
    // Each token sets the term and its offsets, and nothing else changes an attribute (at index
    // time no filter follows; the one that confirms phrases sets every token's position increment
    // itself): clearing once per text, not once per token, is enough (end() changes the position
    // increment, this puts it back).
    clearAttributes();
    if (buf.length > KEEP_BUFFER) {
      buf = new char[4096];
    }
    len = 0;
    pos = 0;
    if (distinct) {
      newText();
    }
    for (int r; (r = input.read(buf, len, buf.length - len)) > 0; ) {
      len += r;
      if (len == buf.length) {
        buf = ArrayUtil.grow(buf, len + 1);
      }
    }
  }

  @Override
  public boolean incrementToken() {
    while (true) {
      int start = rule == Rule.WORDS ? startOfWord(pos) : startOfSeparated(pos);
      if (start >= len) {
        pos = len;
        return false;
      }
      int end = rule == Rule.WORDS ? endOfWord(start) : endOfSeparated(start);
      if (end - start > MAX_TERM) {
        end = start + MAX_TERM;
        if (Character.isHighSurrogate(buf[end - 1])) {
          end--;
        }
      }
      pos = end;
      if (emit(start, end)) {
        return true;
      }
    }
  }

  private int startOfWord(int i) {
    while (i < len) {
      char c = buf[i];
      if (c < 128) {
        if (WORD[c]) {
          return i;
        }
        i++;
      } else {
        int cp = Character.codePointAt(buf, i, len);
        if (Character.isLetterOrDigit(cp)) {
          return i;
        }
        i += Character.charCount(cp);
      }
    }
    return len;
  }

  private int endOfWord(int start) {
    int first = Character.codePointAt(buf, start, len);
    if (Character.isIdeographic(first)) {
      return start + Character.charCount(first);
    }
    int i = start;
    while (i < len) {
      char c = buf[i];
      if (c < 128) {
        if (WORD[c]) {
          i++;
        } else if (JOINER[c] && i + 1 < len && continuesWord(i + 1)) {
          i += 2;
        } else {
          return i;
        }
      } else {
        int cp = Character.codePointAt(buf, i, len);
        if (!Character.isLetterOrDigit(cp) || Character.isIdeographic(cp)) {
          return i;
        }
        i += Character.charCount(cp);
      }
    }
    return len;
  }

  /** A letter or digit that is not an ideograph starts at {@code i}. */
  private boolean continuesWord(int i) {
    char c = buf[i];
    if (c < 128) {
      return WORD[c];
    }
    int cp = Character.codePointAt(buf, i, len);
    return Character.isLetterOrDigit(cp) && !Character.isIdeographic(cp);
  }

  private int startOfSeparated(int i) {
    while (i < len && separator(i)) {
      i++;
    }
    return i;
  }

  private int endOfSeparated(int i) {
    while (i < len && !separator(i)) {
      i++;
    }
    return i;
  }

  private boolean separator(int i) {
    char c = buf[i];
    return c < 128 ? SEPARATOR[c] : Character.isWhitespace(c) || Character.isSpaceChar(c);
  }

  /** Sets the term of {@code buf[start, end)}; false when it is a repeat to leave out. */
  private boolean emit(int start, int end) {
    // Lower-casing keeps a code point's UTF-16 length for every code point but a handful; room
    // for twice the chars covers those too.
    char[] t = term.resizeBuffer(2 * (end - start));
    int n = 0;
    int hash = 0;
    boolean ascii = true;
    for (int i = start; i < end; ) {
      char c = buf[i];
      if (c < 128) {
        char lower = c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
        t[n++] = lower;
        hash = 31 * hash + lower;
        i++;
      } else {
        ascii = false;
        int cp = Character.codePointAt(buf, i, end);
        n += Character.toChars(Character.toLowerCase(cp), t, n);
        i += Character.charCount(cp);
      }
    }
    if (distinct && ascii && !firstTime(t, n, hash, start)) {
      return false;
    }
    term.setLength(n);
    offset.setOffset(correctOffset(start), correctOffset(end));
    return true;
  }

  private void newText() {
    if (slotStamp.length > KEEP_SLOTS) {
      slotStamp = new int[SLOTS];
      slotStart = new int[SLOTS];
      slotLength = new int[SLOTS];
      slotHash = new int[SLOTS];
      stamp = 0;
    }
    if (++stamp == 0) { // wrapped around: stamps of long ago would read as this text's
      java.util.Arrays.fill(slotStamp, 0);
      stamp = 1;
    }
    taken = 0;
  }

  /**
   * Whether the lower-cased ASCII term {@code t[0, n)}, found at {@code start}, is the first of
   * its kind in this text; remembers it if so.
   */
  private boolean firstTime(char[] t, int n, int hash, int start) {
    int h = hash ^ (hash >>> 16);
    int mask = slotStamp.length - 1;
    for (int s = (h * 0x9E3779B9) >>> 7 & mask; ; s = (s + 1) & mask) {
      if (slotStamp[s] != stamp) {
        slotStamp[s] = stamp;
        slotStart[s] = start;
        slotLength[s] = n;
        slotHash[s] = hash;
        if (++taken * 2 > slotStamp.length) {
          growSlots();
        }
        return true;
      }
      if (slotHash[s] == hash && slotLength[s] == n && sameLowerCase(slotStart[s], t, n)) {
        return false;
      }
    }
  }

  private boolean sameLowerCase(int at, char[] t, int n) {
    for (int i = 0; i < n; i++) {
      char c = buf[at + i];
      if ((c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c) != t[i]) {
        return false;
      }
    }
    return true;
  }

  private void growSlots() {
    int[] oldStamp = slotStamp;
    int[] oldStart = slotStart;
    int[] oldLength = slotLength;
    int[] oldHash = slotHash;
    int size = oldStamp.length * 2;
    slotStamp = new int[size];
    slotStart = new int[size];
    slotLength = new int[size];
    slotHash = new int[size];
    int mask = size - 1;
    for (int i = 0; i < oldStamp.length; i++) {
      if (oldStamp[i] == stamp) {
        int h = oldHash[i] ^ (oldHash[i] >>> 16);
        int s = (h * 0x9E3779B9) >>> 7 & mask;
        while (slotStamp[s] == stamp) {
          s = (s + 1) & mask;
        }
        slotStamp[s] = stamp;
        slotStart[s] = oldStart[i];
        slotLength[s] = oldLength[i];
        slotHash[s] = oldHash[i];
      }
    }
  }

  @Override
  public void end() throws IOException {
    super.end();
    int last = correctOffset(len);
    offset.setOffset(last, last);
  }
}
