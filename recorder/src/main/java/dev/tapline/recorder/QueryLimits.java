package dev.tapline.recorder;

import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.FuzzyQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.util.automaton.ByteRunAutomaton;
import org.apache.lucene.util.automaton.RegExp;

/**
 * What a query may cost before it runs, checked while it is parsed: how long it is, how deeply it
 * nests, how many clauses and patterns it has, and how large its regular expressions' automata
 * grow. Building the automaton of {@code /[a-z]+{1,30000}/} took seconds and grows with the square of
 * the count, before any deadline could stop it; these limits keep parsing to milliseconds, and the
 * search's {@link QueryDeadline} bounds the rest. Each refusal says what to change (docs/API.md).
 */
final class QueryLimits {
  /** Characters of {@code q}. */
  static final int MAX_QUERY_CHARS = 4096;
  /** Parentheses within parentheses: the parsers recurse once per level. */
  static final int MAX_NESTING = 32;
  /** Terms, ranges and patterns of a query, as Lucene counts them (its own default limit too). */
  static final int MAX_CLAUSES = 1024;
  /** Wildcard, prefix, regular expression and fuzzy terms: each walks a field's term dictionary. */
  static final int MAX_PATTERNS = 16;
  /** Characters of one wildcard or regular expression. */
  static final int MAX_PATTERN_CHARS = 1000;
  /** Characters of a fuzzy term: its automaton is built per edit and grows with the term. */
  static final int MAX_FUZZY_CHARS = 64;
  /** The largest {@code n} of a repeat {@code {n}}, {@code {n,}} or {@code {n,m}}. */
  static final int MAX_REPEAT = 1000;
  /** The automaton states the regular expressions of one query may need, estimated from their syntax. */
  static final int MAX_REGEXP_STATES = 4000;
  /** Lucene's limit on the work of making an automaton deterministic (its default, set explicitly). */
  static final int DETERMINIZE_WORK_LIMIT = 10_000;

  private static final Pattern REPEAT = Pattern.compile("\\{\\s*(\\d+)\\s*(?:,\\s*(\\d*)\\s*)?\\}");

  private QueryLimits() {}

  /** Refuses a query longer than {@link #MAX_QUERY_CHARS} or nested deeper than {@link #MAX_NESTING}. */
  static void checkShape(String q) throws BadQueryException {
    if (q.length() > MAX_QUERY_CHARS) {
      throw new BadQueryException("the query is " + q.length() + " characters long, more than the "
          + MAX_QUERY_CHARS + " allowed: shorten it (narrow it with fields such as service: or time:[now-1h TO now]"
          + " rather than listing many terms)", MAX_QUERY_CHARS, q);
    }
    int depth = 0;
    for (int i = 0; i < q.length(); i++) {
      char c = q.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '(') {
        if (++depth > MAX_NESTING) {
          throw new BadQueryException("parentheses are nested more than " + MAX_NESTING
              + " deep: flatten the query", i, q);
        }
      } else if (c == ')') {
        depth = Math.max(0, depth - 1);
      }
    }
  }

  /** Refuses a query with more than {@link #MAX_CLAUSES} clauses once parsed. */
  static void checkClauses(Query query, String q) throws BadQueryException {
    int n = clauses(query);
    if (n > MAX_CLAUSES) {
      throw new BadQueryException("the query has " + n + " clauses, more than the " + MAX_CLAUSES
          + " allowed: use fewer terms, or a range or a field instead of listing values", 0, q);
    }
  }

  /** Terms, ranges and patterns in {@code query}, counted the way Lucene counts them against its limit. */
  static int clauses(Query query) {
    int[] n = {0};
    query.visit(new QueryVisitor() {
      @Override
      public void consumeTerms(Query query, Term... terms) {
        n[0] += terms.length;
      }

      @Override
      public void consumeTermsMatching(Query query, String field, Supplier<ByteRunAutomaton> automaton) {
        // A fuzzy term becomes a clause per similar term found, up to its maximum; other patterns
        // stay one clause however many terms they match.
        n[0] += query instanceof FuzzyQuery ? FuzzyQuery.defaultMaxExpansions : 1;
      }

      @Override
      public void visitLeaf(Query query) {
        n[0]++;
      }

      @Override
      public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
        return this;
      }
    });
    return n[0];
  }

  /** The limits of one query being parsed: patterns and regular-expression states add up across it. */
  static final class Budget {
    private int patterns;
    private long regexpStates;

    /** Counts a wildcard, prefix or fuzzy term; refuses one too many or too long. */
    void pattern(String kind, String text, int maxChars) throws QueryLanguage.ValueException {
      if (++patterns > MAX_PATTERNS) {
        throw new QueryLanguage.ValueException("the query has more than " + MAX_PATTERNS
            + " wildcard, prefix, fuzzy and regular-expression terms: use fewer (each one reads a whole"
            + " term dictionary)", text);
      }
      if (text.length() > maxChars) {
        throw new QueryLanguage.ValueException("a " + kind + " may be at most " + maxChars + " characters long,"
            + " this one has " + text.length() + ": shorten it", text);
      }
    }

    /**
     * Counts a regular expression and refuses one whose repeats are over {@link #MAX_REPEAT} or whose
     * automaton would be too large to build quickly, before Lucene builds it.
     */
    void regexp(String text) throws QueryLanguage.ValueException {
      pattern("regular expression", text, MAX_PATTERN_CHARS);
      Matcher m = REPEAT.matcher(text);
      while (m.find()) {
        for (int g = 1; g <= 2; g++) {
          String n = m.group(g);
          if (n != null && !n.isEmpty() && (n.length() > 9 || Integer.parseInt(n) > MAX_REPEAT)) {
            throw new QueryLanguage.ValueException("the repeat " + m.group() + " in a regular expression is over "
                + MAX_REPEAT + ": use a count up to " + MAX_REPEAT + ", or + or * for any number", text, m.start());
          }
        }
      }
      RegExp parsed;
      try {
        parsed = new RegExp(text, RegExp.ALL);
      } catch (IllegalArgumentException e) {
        throw new QueryLanguage.ValueException("malformed regular expression /" + text + "/: " + e.getMessage(), text);
      }
      regexpStates += states(parsed);
      if (regexpStates > MAX_REGEXP_STATES) {
        throw new QueryLanguage.ValueException("the regular expressions of the query are too large (about "
            + regexpStates + " automaton states, at most " + MAX_REGEXP_STATES + "): use smaller repeats and"
            + " fewer alternatives, or a wildcard such as /orders/*", text);
      }
    }
  }

  /**
   * Roughly the states of the automaton {@code r} becomes before it is made deterministic: a repeat
   * copies its body once per count, an intersection multiplies. Saturates far above any limit.
   */
  static long states(RegExp r) {
    return switch (r.kind) {
      case REGEXP_UNION, REGEXP_CONCATENATION -> add(states(r.exp1), states(r.exp2));
      case REGEXP_INTERSECTION -> times(states(r.exp1), states(r.exp2));
      case REGEXP_OPTIONAL, REGEXP_REPEAT, REGEXP_COMPLEMENT, REGEXP_DEPRECATED_COMPLEMENT -> add(states(r.exp1), 1);
      case REGEXP_REPEAT_MIN -> times(states(r.exp1), r.min + 1L);
      case REGEXP_REPEAT_MINMAX -> times(states(r.exp1), Math.max(1, Math.max(r.min, r.max)));
      case REGEXP_STRING -> r.s.length() + 1L;
      case REGEXP_INTERVAL -> 20L * Math.max(1, Math.max(r.digits, Integer.toString(r.max).length()));
      default -> 2;
    };
  }

  private static final long SATURATED = 1L << 40;

  private static long add(long a, long b) {
    return Math.min(SATURATED, a + b);
  }

  private static long times(long a, long b) {
    return a > SATURATED / Math.max(1, b) ? SATURATED : Math.min(SATURATED, a * b);
  }
}
