package dev.tapline.recorder;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.memory.MemoryIndex;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.MultiPhraseQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TwoPhaseIterator;
import org.apache.lucene.search.Weight;
import org.jspecify.annotations.Nullable;

/**
 * A phrase in {@code body} ({@code body:"out of stock"}, {@code "card declined"~2}), matched without
 * positions in the index.
 *
 * <p>Bodies are indexed as terms only (see {@link IndexSchema}): positions and frequencies cost
 * about an eighth of the ingest CPU and are needed only by phrases. A phrase is answered in two
 * steps, the way Elasticsearch's {@code match_only_text} field answers it: the index finds the
 * exchanges that hold every term of the phrase, and each of those is confirmed by analyzing its
 * stored bodies again, each body (request, response, error message) on its own, and running the
 * phrase, slop included, on them. Within one body the answer is the one an index with positions
 * would give; unlike that index, a phrase does not run from one body into the next. The price is
 * paid per candidate at search time, which is why {@link PhrasePaging} confirms candidates in the
 * order of the page (newest first for a search) and stops when the page is full.
 */
final class ConfirmedPhraseQuery extends Query {
  /** Confirming reads the stored exchange and analyzes its bodies: far dearer than a term lookup. */
  private static final float MATCH_COST = 100_000f;
  /** Exchanges read to confirm a phrase, in this process (a meter, {@link RecorderMetrics}). */
  static final LongAdder CONFIRMATIONS = new LongAdder();

  private final Query phrase;
  private final Query terms;
  /** Analyzes a body to the phrase's words alone, each at its position in the body. */
  private final Analyzer phraseWords;
  /** An exact phrase (no slop) is checked directly: its words and their positions in it. */
  private final String @Nullable [] exactWords;
  private final int[] exactPositions;

  private ConfirmedPhraseQuery(Query phrase, Query terms, Analyzer phraseWords) {
    this.phrase = phrase;
    this.terms = terms;
    this.phraseWords = phraseWords;
    if (phrase instanceof PhraseQuery pq && pq.getSlop() == 0) {
      exactWords = Arrays.stream(pq.getTerms()).map(Term::text).toArray(String[]::new);
      exactPositions = pq.getPositions();
    } else {
      exactWords = null;
      exactPositions = new int[0];
    }
  }

  private static ConfirmedPhraseQuery of(Query phrase, List<Term> words, Query terms) {
    CharArraySet set = new CharArraySet(words.size(), false);
    words.forEach(t -> set.add(t.text()));
    Analyzer analyzer = new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String fieldName) {
        TermTokenizer source = new TermTokenizer(TermTokenizer.Rule.WORDS, TermTokenizer.Mode.ALL);
        return new TokenStreamComponents(source, new PhraseWords(source, set));
      }
    };
    return new ConfirmedPhraseQuery(phrase, terms, analyzer);
  }

  /**
   * {@code q} with every positional query on {@code body} replaced by one confirmed against the
   * stored bodies; {@code q} itself when it has none.
   */
  static Query confirmPhrases(Query q) {
    if (q instanceof PhraseQuery pq && pq.getField().equals(Fields.BODY)) {
      List<Term> words = List.of(pq.getTerms());
      return of(pq, words, allOf(words.stream().map(t -> (Query) new TermQuery(t)).toList()));
    }
    if (q instanceof MultiPhraseQuery mq && mq.getTermArrays().length > 0 && mq.getTermArrays()[0][0].field().equals(Fields.BODY)) {
      List<Query> positions = new ArrayList<>();
      List<Term> words = new ArrayList<>();
      for (Term[] alternatives : mq.getTermArrays()) {
        BooleanQuery.Builder any = new BooleanQuery.Builder();
        for (Term t : alternatives) {
          any.add(new TermQuery(t), Occur.SHOULD);
          words.add(t);
        }
        positions.add(any.build());
      }
      return of(mq, words, allOf(positions));
    }
    if (q instanceof BoostQuery bq) {
      Query inner = confirmPhrases(bq.getQuery());
      return inner == bq.getQuery() ? q : new BoostQuery(inner, bq.getBoost());
    }
    if (q instanceof BooleanQuery bq) {
      BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(bq.getMinimumNumberShouldMatch());
      boolean changed = false;
      for (BooleanClause c : bq.clauses()) {
        Query inner = confirmPhrases(c.query());
        changed |= inner != c.query();
        b.add(inner, c.occur());
      }
      return changed ? b.build() : q;
    }
    return q;
  }

  /**
   * {@code q} with every confirmed phrase replaced by its terms alone: it matches a superset of
   * what {@code q} matches, cheaply. {@code q} itself when it has no confirmed phrase.
   */
  static Query candidates(Query q) {
    if (q instanceof ConfirmedPhraseQuery c) {
      return c.terms;
    }
    if (q instanceof BoostQuery bq) {
      Query inner = candidates(bq.getQuery());
      return inner == bq.getQuery() ? q : new BoostQuery(inner, bq.getBoost());
    }
    if (q instanceof BooleanQuery bq) {
      BooleanQuery.Builder b = new BooleanQuery.Builder().setMinimumNumberShouldMatch(bq.getMinimumNumberShouldMatch());
      boolean changed = false;
      boolean positive = false;
      for (BooleanClause c : bq.clauses()) {
        if (c.occur() == Occur.MUST_NOT) {
          // Excluding a superset would drop exchanges that match q: an exclusion with a phrase
          // is left to the confirmation; any other stays.
          if (hasPhrase(c.query())) {
            changed = true;
          } else {
            b.add(c);
          }
          continue;
        }
        Query inner = candidates(c.query());
        changed |= inner != c.query();
        b.add(inner, c.occur());
        positive = true;
      }
      if (!changed) {
        return q;
      }
      if (!positive) {
        b.add(MatchAllDocsQuery.INSTANCE, Occur.MUST);
      }
      return b.build();
    }
    return q;
  }

  private static boolean hasPhrase(Query q) {
    return switch (q) {
      case ConfirmedPhraseQuery c -> true;
      case BoostQuery bq -> hasPhrase(bq.getQuery());
      case BooleanQuery bq -> bq.clauses().stream().anyMatch(c -> hasPhrase(c.query()));
      default -> false;
    };
  }

  private static Query allOf(List<Query> clauses) {
    if (clauses.isEmpty()) {
      return new MatchNoDocsQuery("a phrase without terms");
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Query c : clauses) {
      b.add(c, Occur.FILTER);
    }
    return b.build();
  }

  /**
   * Whether the exchange stored as {@code doc} has the phrase in one of its bodies. Each body is
   * read on its own (a phrase does not run from the request body into the response body), reduced
   * to the phrase's words at their positions, and the phrase, slop included, runs on that.
   */
  private boolean confirm(StoredFields stored, int doc, MemoryIndex body) throws IOException {
    CONFIRMATIONS.increment();
    Exchange e = ExchangeCodec.decode(ExchangeIndex.source(stored, doc));
    for (String text : IndexSchema.bodyTexts(e)) {
      if (exactWords != null ? standsIn(exactWords, text) : matchesIn(text, body)) {
        return true;
      }
    }
    return false;
  }

  /** Whether the phrase's words stand at their positions relative to each other in {@code text}. */
  private boolean standsIn(String[] words, String text) throws IOException {
    int k = words.length;
    int[][] at = new int[k][8];
    int[] found = new int[k];
    try (TokenStream tokens = phraseWords.tokenStream(Fields.BODY, text)) {
      CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
      PositionIncrementAttribute increment = tokens.addAttribute(PositionIncrementAttribute.class);
      tokens.reset();
      int position = -1;
      while (tokens.incrementToken()) {
        position += increment.getPositionIncrement();
        for (int i = 0; i < k; i++) {
          if (words[i].contentEquals(term)) {
            if (found[i] == at[i].length) {
              at[i] = Arrays.copyOf(at[i], 2 * found[i]);
            }
            at[i][found[i]++] = position;
          }
        }
      }
      tokens.end();
    }
    for (int i = 0; i < k; i++) {
      if (found[i] == 0) {
        return false;
      }
    }
    for (int j = 0; j < found[0]; j++) {
      int start = at[0][j] - exactPositions[0];
      boolean all = true;
      for (int i = 1; i < k && all; i++) {
        all = Arrays.binarySearch(at[i], 0, found[i], start + exactPositions[i]) >= 0;
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  /** Any other positional query (slop, alternatives at a position): Lucene runs it in memory. */
  private boolean matchesIn(String text, MemoryIndex body) {
    body.reset();
    body.addField(Fields.BODY, text, phraseWords);
    return body.search(phrase) > 0;
  }

  /**
   * Keeps the tokens that are words of the phrase, each with its position in the whole text (its
   * increment counts the tokens dropped before it), so the in-memory index holds a few terms. Not
   * Lucene's {@code KeepWordFilter}: that one adds the dropped count to the increment the token
   * came with, and {@link TermTokenizer} does not reset increments between tokens.
   */
  private static final class PhraseWords extends TokenFilter {
    private final CharArraySet words;
    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final PositionIncrementAttribute increment = addAttribute(PositionIncrementAttribute.class);

    PhraseWords(TokenStream in, CharArraySet words) {
      super(in);
      this.words = words;
    }

    @Override
    public boolean incrementToken() throws IOException {
      int dropped = 0;
      while (input.incrementToken()) {
        if (words.contains(term.buffer(), 0, term.length())) {
          increment.setPositionIncrement(1 + dropped);
          return true;
        }
        dropped++;
      }
      return false;
    }
  }

  @Override
  public Query rewrite(IndexSearcher searcher) throws IOException {
    Query rewritten = searcher.rewrite(terms);
    return rewritten == terms ? this : new ConfirmedPhraseQuery(phrase, rewritten, phraseWords);
  }

  @Override
  public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
    Weight candidates = searcher.createWeight(terms, ScoreMode.COMPLETE_NO_SCORES, 1f);
    // Lucene checks its deadline between blocks of documents; a confirmation reads and analyzes a
    // stored exchange, so each one checks it first.
    QueryDeadline deadline = QueryDeadline.of(searcher);
    return new ConstantScoreWeight(this, boost) {
      @Override
      public ScorerSupplier scorerSupplier(LeafReaderContext ctx) throws IOException {
        ScorerSupplier inner = candidates.scorerSupplier(ctx);
        if (inner == null) {
          return null;
        }
        float score = score();
        return new ScorerSupplier() {
          @Override
          public Scorer get(long leadCost) throws IOException {
            Scorer s = inner.get(leadCost);
            TwoPhaseIterator innerTwoPhase = s.twoPhaseIterator();
            DocIdSetIterator approximation = innerTwoPhase == null ? s.iterator() : innerTwoPhase.approximation();
            StoredFields stored = ctx.reader().storedFields();
            MemoryIndex body = new MemoryIndex();
            TwoPhaseIterator twoPhase = new TwoPhaseIterator(approximation) {
              @Override
              public boolean matches() throws IOException {
                if (innerTwoPhase != null && !innerTwoPhase.matches()) {
                  return false;
                }
                if (deadline != null) {
                  deadline.check();
                }
                return confirm(stored, approximation.docID(), body);
              }

              @Override
              public float matchCost() {
                return MATCH_COST;
              }
            };
            return new ConstantScoreScorer(score, scoreMode, twoPhase);
          }

          @Override
          public long cost() {
            return inner.cost();
          }
        };
      }

      /**
       * Never cached: Lucene's query cache would compute the matches of a whole segment at once,
       * confirming every candidate in it, where a search confirms the few a page needs.
       */
      @Override
      public boolean isCacheable(LeafReaderContext ctx) {
        return false;
      }
    };
  }

  @Override
  public void visit(QueryVisitor visitor) {
    phrase.visit(visitor.getSubVisitor(Occur.MUST, this));
  }

  @Override
  public String toString(String field) {
    return phrase.toString(field);
  }

  @Override
  public boolean equals(Object o) {
    return sameClassAs(o) && phrase.equals(((ConfirmedPhraseQuery) o).phrase) && terms.equals(((ConfirmedPhraseQuery) o).terms);
  }

  @Override
  public int hashCode() {
    return Objects.hash(classHash(), phrase, terms);
  }
}
