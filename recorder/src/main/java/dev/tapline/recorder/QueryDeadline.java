package dev.tapline.recorder;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.ExitableDirectoryReader;
import org.apache.lucene.index.QueryTimeout;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.util.automaton.ByteRunAutomaton;
import org.jspecify.annotations.Nullable;

/**
 * How long one query may run. {@link #searcher} gives a searcher that stops at the deadline where
 * Lucene spends time on a query: collecting hits ({@link IndexSearcher#setTimeout}) and, for queries
 * with patterns, walking a term dictionary ({@link ExitableDirectoryReader}). Phrase confirmation,
 * which reads stored exchanges, checks it before each one ({@link ConfirmedPhraseQuery}). Past the
 * deadline the query ends with a {@link QueryTimeoutException}; no thread is started for it.
 */
final class QueryDeadline implements QueryTimeout {
  private final Duration timeout;
  private final long deadline;
  /** Set once the query was told to stop: Lucene's collector then returns partial hits, not an error. */
  private volatile boolean exceeded;

  private QueryDeadline(Duration timeout) {
    this.timeout = timeout;
    this.deadline = System.nanoTime() + timeout.toNanos();
  }

  /** A deadline {@code timeout} from now. */
  static QueryDeadline in(Duration timeout) {
    return new QueryDeadline(timeout);
  }

  @Override
  public boolean shouldExit() {
    if (System.nanoTime() - deadline >= 0) {
      exceeded = true;
    }
    return exceeded;
  }

  /** Throws when the query is past its deadline. */
  void check() {
    if (shouldExit()) {
      throw stopped();
    }
  }

  /** What a query stopped by this deadline ends with (Lucene's own exception becomes this one). */
  QueryTimeoutException stopped() {
    exceeded = true;
    return new QueryTimeoutException(timeout);
  }

  /**
   * Throws when the query was stopped during the last search. Call after every search: a search
   * Lucene stopped while collecting returns the hits found so far as if that were all of them.
   */
  void throwIfExceeded() {
    if (exceeded) {
      throw stopped();
    }
  }

  /**
   * A searcher over the same point-in-time view as {@code s} that stops at this deadline while it
   * runs {@code query}. Lucene checks the deadline between blocks of hits it collects; a query with
   * wildcard, prefix, fuzzy or regular-expression terms also gets a reader that checks it while the
   * term dictionary is walked for them, which costs a quarter more CPU on plain queries and is
   * therefore left out of those.
   */
  IndexSearcher searcher(IndexSearcher s, Query query) throws IOException {
    return searcher(s, walksTerms(query));
  }

  /**
   * A searcher that stops at this deadline while it collects hits and, with {@code exitableReader},
   * also while it walks term dictionaries and reads doc values and points.
   */
  IndexSearcher searcher(IndexSearcher s, boolean exitableReader) throws IOException {
    IndexSearcher timed = new IndexSearcher(exitableReader
        ? ExitableDirectoryReader.wrap((DirectoryReader) s.getIndexReader(), this)
        : s.getIndexReader());
    timed.setTimeout(this);
    timed.setQueryCache(s.getQueryCache());
    timed.setQueryCachingPolicy(s.getQueryCachingPolicy());
    timed.setSimilarity(s.getSimilarity());
    return timed;
  }

  /** Whether {@code query} has a clause that walks a term dictionary (wildcard, prefix, fuzzy, regexp). */
  static boolean walksTerms(Query query) {
    boolean[] walks = {false};
    query.visit(new QueryVisitor() {
      @Override
      public void consumeTermsMatching(Query q, String field, Supplier<ByteRunAutomaton> automaton) {
        walks[0] = true;
      }

      @Override
      public QueryVisitor getSubVisitor(BooleanClause.Occur occur, Query parent) {
        return this;
      }
    });
    return walks[0];
  }

  /** The deadline {@code s} was made with, if any. */
  static @Nullable QueryDeadline of(IndexSearcher s) {
    return s.getTimeout() instanceof QueryDeadline d ? d : null;
  }

  /** {@link #throwIfExceeded} for the deadline of {@code s}, if it has one. */
  static void throwIfExceeded(IndexSearcher s) {
    QueryDeadline d = of(s);
    if (d != null) {
      d.throwIfExceeded();
    }
  }
}
