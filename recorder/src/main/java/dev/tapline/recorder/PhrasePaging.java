package dev.tapline.recorder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.TwoPhaseIterator;
import org.apache.lucene.search.Weight;
import org.jspecify.annotations.Nullable;

/**
 * A page of hits in sort order, for search and export. The candidates of a query with a phrase
 * ({@link ConfirmedPhraseQuery}) are confirmed a batch at a time, only as many as the page needs.
 */
final class PhrasePaging {
  private PhrasePaging() {}

  /**
   * Up to {@code limit} hits of {@code query} after {@code after} in {@code sort} order. A query with
   * phrases in bodies ({@link ConfirmedPhraseQuery}) runs in two steps: its candidates (each phrase
   * reduced to its terms) are read in order a page at a time, and only those are confirmed. A page
   * of results then costs about as many confirmations as it holds, however many exchanges in the
   * index have the phrase's terms, where letting Lucene confirm while it collects would confirm
   * every candidate older than the newest ones too. A searcher with a {@link QueryDeadline} stops
   * this at the deadline, confirmations included.
   */
  static ScoreDoc[] top(IndexSearcher s, Query query, @Nullable FieldDoc after, int limit, Sort sort)
      throws IOException {
    Query candidates = ConfirmedPhraseQuery.candidates(query);
    if (candidates == query) {
      return s.searchAfter(after, query, limit, sort, false).scoreDocs;
    }
    Weight exact = s.createWeight(s.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
    List<ScoreDoc> out = new ArrayList<>(limit);
    FieldDoc from = after;
    long read = 0;
    for (int page = limit; ; ) {
      ScoreDoc[] hits = s.searchAfter(from, candidates, page, sort, false).scoreDocs;
      // A search stopped at the deadline returns what it found so far: not a page to go on with.
      QueryDeadline.throwIfExceeded(s);
      // Confirmed in order, a batch at a time, up to the hit that fills the page.
      for (int at = 0; at < hits.length && out.size() < limit; ) {
        int n = Math.min(hits.length - at, Math.max(CONFIRM_BATCH, 2 * (limit - out.size())));
        ScoreDoc[] batch = Arrays.copyOfRange(hits, at, at + n);
        boolean[] confirmed = matching(s, exact, batch);
        for (int i = 0; i < n && out.size() < limit; i++) {
          if (confirmed[i]) {
            out.add(batch[i]);
          }
        }
        at += n;
        read += n;
      }
      if (out.size() == limit || hits.length < page) {
        return out.toArray(ScoreDoc[]::new);
      }
      from = (FieldDoc) hits[hits.length - 1];
      // Each page of candidates is a search of its own: size the next one from how many candidates
      // were confirmed so far, so that a phrase most candidates fail costs a few searches, not many.
      double rate = (out.size() + 1.0) / (read + 1.0);
      page = (int) Math.clamp(2 * (limit - out.size()) / rate, limit, MAX_CANDIDATE_PAGE);
    }
  }

  private static final int MAX_CANDIDATE_PAGE = 16_384;
  private static final int CONFIRM_BATCH = 64;

  /** Which of {@code hits} {@code exact} matches, visited in doc order (iterators go forward only). */
  private static boolean[] matching(IndexSearcher s, Weight exact, ScoreDoc[] hits) throws IOException {
    boolean[] out = new boolean[hits.length];
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    int currentLeaf = -1;
    DocIdSetIterator approximation = null;
    TwoPhaseIterator twoPhase = null;
    for (int i : byDoc(hits)) {
      int leaf = ReaderUtil.subIndex(hits[i].doc, leaves);
      if (leaf != currentLeaf) {
        currentLeaf = leaf;
        Scorer scorer = exact.scorer(leaves.get(leaf));
        twoPhase = scorer == null ? null : scorer.twoPhaseIterator();
        approximation = scorer == null ? null : twoPhase == null ? scorer.iterator() : twoPhase.approximation();
      }
      if (approximation == null) {
        continue;
      }
      int doc = hits[i].doc - leaves.get(leaf).docBase;
      int at = approximation.docID() < doc ? approximation.advance(doc) : approximation.docID();
      out[i] = at == doc && (twoPhase == null || twoPhase.matches());
    }
    return out;
  }

  /** Indexes into {@code hits}, ordered by doc id. */
  static Integer[] byDoc(ScoreDoc[] hits) {
    Integer[] order = new Integer[hits.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(hits[a].doc, hits[b].doc));
    return order;
  }
}
