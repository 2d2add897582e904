package dev.tapline.recorder;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.queryparser.classic.Token;
import org.apache.lucene.queryparser.classic.TokenMgrError;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;
import org.jspecify.annotations.Nullable;

/**
 * Lucene query syntax over the index fields, with numbers where they belong: {@code status:500},
 * {@code status:[500 TO 599]}, {@code status:5xx}, {@code duration:>100000}-style ranges written as
 * {@code duration:{100000 TO *]}, and times as epoch micros, ISO instants, dates or {@code now-15m}.
 * Terms are ANDed unless the query says otherwise; bare words search {@code body}.
 */
final class QueryLanguage {
  private static final Pattern COLUMN = Pattern.compile("column (\\d+)");
  private static final Pattern RELATIVE = Pattern.compile("now(?:-(\\d+)([smhd]))?");

  private QueryLanguage() {}

  /**
   * Parses {@code q}; blank means everything. A query over the {@link QueryLimits} (too long, too
   * many clauses or patterns, a regular expression too large to build) is refused here, before any
   * costly automaton is built.
   */
  static Query parse(@Nullable String q) throws BadQueryException {
    if (q == null || q.isBlank()) {
      return MatchAllDocsQuery.INSTANCE;
    }
    QueryLimits.checkShape(q);
    Parser p = new Parser();
    Query parsed;
    try {
      parsed = ConfirmedPhraseQuery.confirmPhrases(withPositives(p.parse(q)));
    } catch (ParseException e) {
      throw new BadQueryException(describe(e), position(e, q), q);
    } catch (RuntimeException e) {
      // Lucene can refuse a parsed query late (e.g. too many boolean clauses).
      throw new BadQueryException(String.valueOf(e.getMessage()), 0, q);
    }
    QueryLimits.checkClauses(parsed, q);
    return parsed;
  }

  /** A boolean query with only NOT clauses would match nothing; "NOT x" means "everything but x". */
  private static Query withPositives(Query q) {
    if (!(q instanceof BooleanQuery bq)) {
      return q;
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(bq.getMinimumNumberShouldMatch());
    boolean positive = false;
    for (BooleanClause c : bq.clauses()) {
      b.add(withPositives(c.query()), c.occur());
      positive |= c.occur() != BooleanClause.Occur.MUST_NOT;
    }
    if (!positive) {
      b.add(MatchAllDocsQuery.INSTANCE, BooleanClause.Occur.MUST);
    }
    return b.build();
  }

  private static String describe(ParseException e) {
    Throwable c = e.getCause();
    String m = c != null && c.getMessage() != null ? c.getMessage() : e.getMessage();
    if (m == null) {
      return "malformed query";
    }
    int nl = m.indexOf('\n');
    String first = nl < 0 ? m : m.substring(0, nl);
    if (c instanceof ParseException pe && pe.currentToken != null && pe.currentToken.next != null) {
      Token next = pe.currentToken.next;
      return next.kind == 0 ? "unexpected end of query" : "unexpected \"" + next.image + "\"";
    }
    return first.replace("Cannot parse", "cannot parse").trim();
  }

  /** 0-based character offset of the problem in {@code q}, best effort. */
  private static int position(ParseException e, String q) {
    Throwable c = e.getCause() == null ? e : e.getCause();
    if (c instanceof ParseException pe && pe.currentToken != null && pe.currentToken.next != null) {
      Token next = pe.currentToken.next;
      return next.kind == 0 ? q.length() : Math.max(0, next.beginColumn - 1);
    }
    if (c instanceof ValueException ve) {
      int at = q.indexOf(ve.value);
      return at < 0 ? 0 : Math.min(q.length(), at + ve.offset);
    }
    if (c instanceof TokenMgrError || c instanceof ParseException) {
      Matcher m = COLUMN.matcher(String.valueOf(c.getMessage()));
      if (m.find()) {
        return Math.max(0, Math.min(q.length(), Integer.parseInt(m.group(1)) - 1));
      }
    }
    return 0;
  }

  /**
   * A value that is not valid for its field, or over a limit; carries the value (and where in it the
   * problem is) so the position in the query can be found.
   */
  static final class ValueException extends ParseException {
    private static final long serialVersionUID = 1L;
    final String value;
    final int offset;

    ValueException(String message, String value) {
      this(message, value, 0);
    }

    ValueException(String message, String value, int offset) {
      super(message);
      this.value = value;
      this.offset = offset;
    }
  }

  private static final class Parser extends QueryParser {
    private final QueryLimits.Budget budget = new QueryLimits.Budget();

    Parser() {
      super(Fields.BODY, IndexSchema.analyzer(TermTokenizer.Mode.ALL));
      setDefaultOperator(Operator.AND);
      setSplitOnWhitespace(true);
      setAutoGeneratePhraseQueries(true);
      setAllowLeadingWildcard(true);
      setDeterminizeWorkLimit(QueryLimits.DETERMINIZE_WORK_LIMIT);
    }

    @Override
    protected Query getFieldQuery(String field, String text, boolean quoted) throws ParseException {
      if (Fields.INT_FIELDS.contains(field)) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.length() == 3 && t.endsWith("xx") && Character.isDigit(t.charAt(0))) {
          int base = (t.charAt(0) - '0') * 100;
          return IntPoint.newRangeQuery(field, base, base + 99);
        }
        return IntPoint.newExactQuery(field, intValue(field, text));
      }
      if (Fields.LONG_FIELDS.contains(field)) {
        return LongPoint.newExactQuery(field, longValue(field, text));
      }
      if (field.equals(Fields.HEADER)) {
        // Indexed without positions: "content-type application/json" means both terms.
        return createBooleanQuery(field, text, BooleanClause.Occur.MUST);
      }
      if (field.equals(Fields.METHOD)) {
        text = text.toUpperCase(Locale.ROOT);
      } else if (field.equals(Fields.HOST)) {
        text = text.toLowerCase(Locale.ROOT);
      }
      return super.getFieldQuery(field, text, quoted);
    }

    @Override
    protected Query getRangeQuery(String field, @Nullable String part1, @Nullable String part2,
        boolean startInclusive, boolean endInclusive) throws ParseException {
      if (Fields.INT_FIELDS.contains(field)) {
        int lo = open(part1) ? Integer.MIN_VALUE : intValue(field, part1);
        int hi = open(part2) ? Integer.MAX_VALUE : intValue(field, part2);
        if (!startInclusive && !open(part1)) {
          lo = lo == Integer.MAX_VALUE ? lo : lo + 1;
        }
        if (!endInclusive && !open(part2)) {
          hi = hi == Integer.MIN_VALUE ? hi : hi - 1;
        }
        return IntPoint.newRangeQuery(field, lo, hi);
      }
      if (Fields.LONG_FIELDS.contains(field)) {
        long lo = open(part1) ? Long.MIN_VALUE : longValue(field, part1);
        long hi = open(part2) ? Long.MAX_VALUE : longValue(field, part2);
        if (!startInclusive && !open(part1)) {
          lo = lo == Long.MAX_VALUE ? lo : lo + 1;
        }
        if (!endInclusive && !open(part2)) {
          hi = hi == Long.MIN_VALUE ? hi : hi - 1;
        }
        return LongPoint.newRangeQuery(field, lo, hi);
      }
      return super.getRangeQuery(field, part1, part2, startInclusive, endInclusive);
    }

    @Override
    protected Query getWildcardQuery(String field, String termStr) throws ParseException {
      numericNotAllowed(field, termStr);
      budget.pattern("wildcard term", termStr, QueryLimits.MAX_PATTERN_CHARS);
      try {
        return super.getWildcardQuery(field, termStr);
      } catch (TooComplexToDeterminizeException e) {
        throw tooComplex("wildcard term " + termStr, termStr);
      }
    }

    @Override
    protected Query getPrefixQuery(String field, String termStr) throws ParseException {
      numericNotAllowed(field, termStr + "*");
      budget.pattern("prefix", termStr, QueryLimits.MAX_PATTERN_CHARS);
      return super.getPrefixQuery(field, termStr);
    }

    @Override
    protected Query getFuzzyQuery(String field, String termStr, float minSimilarity) throws ParseException {
      numericNotAllowed(field, termStr);
      budget.pattern("fuzzy term", termStr, QueryLimits.MAX_FUZZY_CHARS);
      return super.getFuzzyQuery(field, termStr, minSimilarity);
    }

    @Override
    protected Query getRegexpQuery(String field, String termStr) throws ParseException {
      budget.regexp(termStr);
      try {
        return super.getRegexpQuery(field, termStr);
      } catch (TooComplexToDeterminizeException e) {
        throw tooComplex("regular expression /" + termStr + "/", termStr);
      } catch (IllegalArgumentException e) {
        throw new ValueException("malformed regular expression /" + termStr + "/: " + e.getMessage(), termStr);
      }
    }

    private static ValueException tooComplex(String what, String value) {
      return new ValueException("the " + what + " is too complex to run (its automaton needs more than "
          + QueryLimits.DETERMINIZE_WORK_LIMIT + " steps to build): simplify it, e.g. fewer alternatives"
          + " inside repeats", value);
    }

    private static void numericNotAllowed(String field, String value) throws ParseException {
      if (Fields.INT_FIELDS.contains(field) || Fields.LONG_FIELDS.contains(field)) {
        throw new ValueException(field + " is numeric: use " + field + ":N or " + field
            + ":[LOW TO HIGH] instead of \"" + value + "\"", value);
      }
    }

    private static boolean open(@Nullable String part) {
      return part == null || part.equals("*");
    }

    private static int intValue(String field, String text) throws ParseException {
      try {
        return Integer.parseInt(text.trim());
      } catch (NumberFormatException e) {
        throw new ValueException(field + " must be a whole number, got \"" + text + "\"", text);
      }
    }

    private static long longValue(String field, String text) throws ParseException {
      String t = text.trim();
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        // fall through: times may be written as instants, dates or relative to now
      }
      if (field.equals(Fields.TIME)) {
        Long micros = timeMicros(t);
        if (micros != null) {
          return micros;
        }
        throw new ValueException("time must be epoch micros, an ISO instant (2026-11-26T10:00:00Z), "
            + "a date (2026-11-26) or now-N[smhd], got \"" + text + "\"", text);
      }
      throw new ValueException(field + " must be a whole number, got \"" + text + "\"", text);
    }

    private static @Nullable Long timeMicros(String t) {
      Matcher rel = RELATIVE.matcher(t.toLowerCase(Locale.ROOT));
      if (rel.matches()) {
        long nowMicros = dev.tapline.core.Ids.nowMicros();
        if (rel.group(1) == null) {
          return nowMicros;
        }
        long n = Long.parseLong(rel.group(1));
        long unitSeconds = switch (rel.group(2)) {
          case "s" -> 1;
          case "m" -> 60;
          case "h" -> 3600;
          default -> 86400;
        };
        return nowMicros - n * unitSeconds * 1_000_000L;
      }
      try {
        Instant i = Instant.parse(t);
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
      } catch (DateTimeParseException e) {
        // not an instant
      }
      try {
        return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toEpochSecond() * 1_000_000L;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }

}
