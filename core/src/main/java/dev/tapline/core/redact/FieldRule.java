package dev.tapline.core.redact;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Fields whose value is a secret, by name: JSON keys at any depth, form and multipart field names,
 * query parameter names. Either by words, which the scanner can look for, or by a regular
 * expression, which makes every structured body parsed.
 *
 * <p>Words come in two kinds. An <em>anywhere</em> word matches inside a name, ignoring case and
 * {@code _} and {@code -}: {@code password} matches {@code userPassword}, {@code pass_word} and
 * {@code PASSWORD2}; use it for words long and specific enough not to hide in others. A <em>whole</em>
 * word must be one of the name's words, split at {@code _ - .}, other punctuation, camelCase and
 * letter/digit changes: {@code pin} matches {@code pin}, {@code userPin}, {@code card_pin}, {@code
 * PINCode}, but not {@code pinned}, {@code spinach} or {@code opinion}.
 */
public final class FieldRule implements RedactionRule {
  private final String name;
  private final List<String> anywhere;
  private final List<String> whole;
  private final @Nullable Pattern pattern;
  private final List<Trigger> triggers;
  // anywhere words by their first letter: most letters of a name start none
  private final String[][] anywhereByStart = new String[128][];

  private FieldRule(String name, List<String> anywhere, List<String> whole, @Nullable Pattern pattern) {
    this.name = name;
    this.anywhere = anywhere;
    this.whole = whole;
    this.pattern = pattern;
    List<Trigger> t = new ArrayList<>();
    if (pattern != null) {
      t.add(Trigger.always());
    }
    for (String w : anywhere) {
      t.add(Trigger.word(w));
      String[] old = anywhereByStart[w.charAt(0)];
      String[] add = old == null ? new String[1] : Arrays.copyOf(old, old.length + 1);
      add[add.length - 1] = w;
      anywhereByStart[w.charAt(0)] = add;
    }
    for (String w : whole) {
      t.add(Trigger.wholeWord(w));
    }
    this.triggers = List.copyOf(t);
  }

  /** Names holding one of {@code anywhere} (see the class comment). */
  public static FieldRule words(Collection<String> anywhere) {
    return words(anywhere, List.of());
  }

  /** Names holding one of {@code anywhere}, or having one of {@code wholeWords} as a word. */
  public static FieldRule words(Collection<String> anywhere, Collection<String> wholeWords) {
    List<String> a = new ArrayList<>();
    for (String w : requireNonNull(anywhere, "anywhere")) {
      a.add(((Trigger.Word) Trigger.word(requireNonNull(w, "word"))).text());
    }
    List<String> whole = new ArrayList<>();
    for (String w : requireNonNull(wholeWords, "wholeWords")) {
      String lower = ((Trigger.Word) Trigger.word(requireNonNull(w, "word"))).text();
      for (int i = 0; i < lower.length(); i++) {
        if (!NameWords.isWordChar(lower.charAt(i))) {
          throw new IllegalArgumentException("a whole word is ASCII letters and digits: '" + w + "'");
        }
      }
      whole.add(lower);
    }
    return new FieldRule("field-words", List.copyOf(a), List.copyOf(whole), null);
  }

  /** Names the regular expression matches as a whole. Structured bodies are then always parsed. */
  public static FieldRule pattern(String regex) {
    return new FieldRule("field-pattern", List.of(), List.of(), Pattern.compile(requireNonNull(regex, "regex")));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<Trigger> triggers() {
    return triggers;
  }

  /** The anywhere words, lower case, without {@code _} and {@code -}. */
  public List<String> anywhereWords() {
    return anywhere;
  }

  /** The whole words, lower case. */
  public List<String> wholeWords() {
    return whole;
  }

  public boolean matches(String fieldName) {
    if (pattern != null) {
      return pattern.matcher(fieldName).matches();
    }
    if (!anywhere.isEmpty() && containsAnywhereWord(fieldName)) {
      return true;
    }
    for (String w : whole) {
      if (NameWords.hasWord(fieldName, w)) {
        return true;
      }
    }
    return false;
  }

  private boolean containsAnywhereWord(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = lower(s.charAt(i));
      String[] words = c < 128 ? anywhereByStart[c] : null;
      if (words != null && wordAt(s, i, words)) {
        return true;
      }
    }
    return false;
  }

  /** Whether one of {@code words} starts at {@code s[i]}, skipping {@code _} and {@code -}. */
  private static boolean wordAt(String s, int i, String[] words) {
    for (String w : words) {
      int j = i + 1;
      int k = 1;
      while (k < w.length() && j < s.length()) {
        char d = s.charAt(j);
        if (d == '_' || d == '-') {
          j++;
        } else if (lower(d) == w.charAt(k)) {
          j++;
          k++;
        } else {
          break;
        }
      }
      if (k == w.length()) {
        return true;
      }
    }
    return false;
  }

  private static char lower(char c) {
    if (c < 128) {
      return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }
    return Character.toLowerCase(c);
  }

  @Override
  public String toString() {
    return pattern != null ? "FieldRule[pattern=" + pattern + "]" : "FieldRule[anywhere=" + anywhere + ", whole=" + whole + "]";
  }
}
