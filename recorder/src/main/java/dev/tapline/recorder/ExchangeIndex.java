package dev.tapline.recorder;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.api.Page;
import dev.tapline.core.api.EndpointStats;
import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.IndexWriterConfig.OpenMode;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.TwoPhaseIterator;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lucene index of exchanges, searchable in process. A {@link Recorder} owns one and keeps it
 * fed from Kafka; {@link Recorder#index()} hands it to callers such as the UI.
 *
 * <pre>{@code
 * ExchangeIndex index = recorder.index();
 * Page page = index.search("service:orders AND status:[500 TO 599]", 50, null);
 * Page next = index.search("service:orders AND status:[500 TO 599]", 50, page.nextCursor());
 * Optional<Exchange> one = index.get(page.items().get(0).id());
 * }</pre>
 *
 * <p>Query syntax is Lucene's, over the fields {@code service routingKey target method path template
 * host status duration time header body id error}; terms are ANDed; bare words search bodies;
 * values with {@code /} are quoted ({@code path:"/orders/42"}). Results are newest first. New
 * exchanges are visible within the refresh interval (200 ms by default; once a second while the
 * ingestor reads a backlog).
 */
public final class ExchangeIndex {
  private static final Logger LOG = LoggerFactory.getLogger(ExchangeIndex.class);
  static final int MAX_LIMIT = 1000;
  private static final Sort NEWEST_FIRST = new Sort(
      new SortField(Fields.TIME, SortField.Type.LONG, true), new SortField(Fields.ID, SortField.Type.STRING_VAL, true));
  private static final Sort OLDEST_FIRST = new Sort(
      new SortField(Fields.TIME, SortField.Type.LONG, false), new SortField(Fields.ID, SortField.Type.STRING_VAL, false));
  private static final Sort BY_SEQ = new Sort(new SortField(Fields.SEQ, SortField.Type.LONG, false));

  private final Path dir;
  private final Directory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Map<String, String> lastCommitData;
  private final ScheduledExecutorService refresher;
  private final Timer queryTimer;
  /** Every exchange with a sequence number up to this one has been added to the writer. */
  private volatile long completedSeq;
  /** Every exchange with a sequence number up to this one is visible to searches. */
  private volatile long visibleSeq;
  /** True while the ingestor reads a backlog (full batches) rather than live traffic. */
  private volatile boolean catchingUp;
  private long lastRefreshNanos;

  private ExchangeIndex(Path dir, Directory directory, IndexWriter writer, SearcherManager searchers,
      Map<String, String> lastCommitData, Duration refreshInterval, MeterRegistry meters) {
    this.dir = dir;
    this.directory = directory;
    this.writer = writer;
    this.searchers = searchers;
    this.lastCommitData = lastCommitData;
    this.queryTimer = Timer.builder("tapline.recorder.query")
        .description("time to answer a search, catalog or stream query")
        .publishPercentiles(0.5, 0.95, 0.99)
        .register(meters);
    this.refresher = Executors.newSingleThreadScheduledExecutor(Background.threads("tapline-index-refresh"));
    // nanoTime has an arbitrary origin: "never refreshed" is a full catch-up interval ago, not 0.
    this.lastRefreshNanos = System.nanoTime() - CATCH_UP_REFRESH;
    this.completedSeq = Long.parseLong(lastCommitData.getOrDefault("seq", "0")) - 1;
    this.visibleSeq = completedSeq;
    searchers.addListener(new ReferenceManager.RefreshListener() {
      private long pending;

      @Override
      public void beforeRefresh() {
        // Documents added before a refresh starts are in the reader it opens.
        pending = completedSeq;
      }

      @Override
      public void afterRefresh(boolean didRefresh) {
        visibleSeq = Math.max(visibleSeq, pending);
      }
    });
    long ms = Math.max(1, refreshInterval.toMillis());
    refresher.scheduleWithFixedDelay(this::refreshQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  /**
   * Opens (or creates) the index in {@code dir}.
   *
   * @param rebuild start from an empty index, discarding what is there
   */
  static ExchangeIndex open(Path dir, boolean rebuild, Duration refreshInterval, MeterRegistry meters) {
    requireNonNull(dir, "dir");
    try {
      java.nio.file.Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the index directory " + dir, e);
    }
    Directory directory = null;
    IndexWriter writer = null;
    try {
      directory = FSDirectory.open(dir);
      if (!rebuild && DirectoryReader.indexExists(directory) && writtenByAnotherSchema(directory)) {
        rewrite(directory, dir);
      }
      writer = new IndexWriter(directory, config(rebuild ? OpenMode.CREATE : OpenMode.CREATE_OR_APPEND));
      Map<String, String> data = new HashMap<>();
      Iterable<Map.Entry<String, String>> live = writer.getLiveCommitData();
      if (live != null && !rebuild) {
        live.forEach(e -> data.put(e.getKey(), e.getValue()));
      }
      SearcherManager searchers = new SearcherManager(writer, true, false, null);
      return new ExchangeIndex(dir, directory, writer, searchers, Map.copyOf(data), refreshInterval, meters);
    } catch (IOException | RuntimeException e) {
      org.apache.lucene.util.IOUtils.closeWhileHandlingException(writer, directory);
      throw e instanceof IOException io ? new UncheckedIOException("cannot open the index in " + dir, io) : (RuntimeException) e;
    }
  }

  private static IndexWriterConfig config(OpenMode mode) {
    return new IndexWriterConfig(IndexSchema.indexAnalyzer())
        .setOpenMode(mode)
        .setCodec(new TaplineCodec())
        .setRAMBufferSizeMB(96)
        // Near-real-time refreshes flush many small segments: copying each into a compound file
        // is work that merging soon throws away.
        .setUseCompoundFile(false)
        .setMergePolicy(mergePolicy())
        .setMergeScheduler(new BackgroundMerges())
        // Lucene merges small segments inside each refresh, waiting up to 500 ms by default: with a
        // refresh every 200 ms that wait is added to how soon a capture becomes searchable.
        // Background merges do the same work without holding up visibility.
        .setMaxFullFlushMergeWaitMillis(0)
        // Commits happen only together with the Kafka offsets they cover (see Ingestor).
        .setCommitOnClose(false);
  }

  /**
   * Whether the last commit in {@code directory} was written with another schema: its recorded
   * version differs (and it holds exchanges), or any segment holds a field the way another version
   * wrote it, which Lucene would refuse to add new documents to.
   */
  private static boolean writtenByAnotherSchema(Directory directory) throws IOException {
    try (DirectoryReader r = DirectoryReader.open(directory)) {
      String version = r.getIndexCommit().getUserData().get(IndexSchema.VERSION_KEY);
      if (r.numDocs() > 0 && !IndexSchema.VERSION.equals(version)) {
        return true;
      }
      for (LeafReaderContext leaf : r.leaves()) {
        if (IndexSchema.writtenByAnotherVersion(leaf.reader().getFieldInfos())) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Rewrites an index written by another version of the schema from the exchanges it stores, into
   * the same directory, keeping its commit data (the Kafka offsets it holds). The index stores every
   * exchange whole, so nothing is read from Kafka, whose retention may have dropped what the index
   * still holds. The new index replaces the old one only at its commit: a crash before that leaves
   * the old index as it was, to be rewritten at the next start.
   */
  private static void rewrite(Directory directory, Path dir) throws IOException {
    long start = System.nanoTime();
    try (DirectoryReader old = DirectoryReader.open(directory);
        IndexWriter writer = new IndexWriter(directory, config(OpenMode.CREATE))) {
      LOG.info("rewriting the index in {} from its {} stored exchanges: it was written with index schema {},"
          + " this version uses {} (the old index stays until the new one is committed)", dir, old.numDocs(),
          old.getIndexCommit().getUserData().getOrDefault(IndexSchema.VERSION_KEY, "1"), IndexSchema.VERSION);
      long done = 0;
      long skipped = 0;
      long lastLog = System.nanoTime();
      for (LeafReaderContext leaf : old.leaves()) {
        LeafReader r = leaf.reader();
        StoredFields stored = r.storedFields();
        NumericDocValues seq = DocValues.getNumeric(r, Fields.SEQ);
        Bits live = r.getLiveDocs();
        for (int doc = 0; doc < r.maxDoc(); doc++) {
          if (live != null && !live.get(doc)) {
            continue;
          }
          byte[] source = source(stored, doc);
          long n = seq.advanceExact(doc) ? seq.longValue() : 0;
          Exchange e;
          try {
            e = ExchangeCodec.decode(source);
          } catch (ExchangeCodec.DecodeException ex) {
            // Indexed once, so decoded once; a reader that no longer accepts it must not keep the
            // recorder from starting. Left out, and said so.
            skipped++;
            LOG.warn("rewriting the index in {}: a stored exchange no longer decodes and is left out ({}): {}", dir,
                ex.getMessage(), new String(source, 0, Math.min(source.length, 200), java.nio.charset.StandardCharsets.UTF_8));
            continue;
          }
          writer.addDocument(IndexSchema.document(e, source, n));
          if (++done % 10_000 == 0 && System.nanoTime() - lastLog > TimeUnit.SECONDS.toNanos(10)) {
            lastLog = System.nanoTime();
            LOG.info("rewriting the index in {}: {} of {} exchanges", dir, done, old.numDocs());
          }
        }
      }
      Map<String, String> data = new HashMap<>(old.getIndexCommit().getUserData());
      data.put(IndexSchema.VERSION_KEY, IndexSchema.VERSION);
      writer.setLiveCommitData(data.entrySet());
      writer.commit();
      LOG.info("rewrote the index in {}: {} exchanges in {} ms{}", dir, old.numDocs() - skipped,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          skipped == 0 ? "" : "; " + skipped + " that no longer decode were left out (see the warnings above)");
    }
  }

  /**
   * Near-real-time refreshes flush a small segment several times a second; allowing more segments
   * per tier merges them less often (each byte is rewritten fewer times) at a small search cost.
   */
  private static org.apache.lucene.index.TieredMergePolicy mergePolicy() {
    org.apache.lucene.index.TieredMergePolicy p = new org.apache.lucene.index.TieredMergePolicy();
    p.setSegmentsPerTier(20);
    p.setNoCFSRatio(0);
    return p;
  }

  /** Lucene's concurrent merges, on threads at the indexing priority (see {@link Background}). */
  private static final class BackgroundMerges extends org.apache.lucene.index.ConcurrentMergeScheduler {
    private int started;

    @Override
    protected synchronized MergeThread getMergeThread(MergeSource mergeSource, org.apache.lucene.index.MergePolicy.OneMerge merge) {
      MergeThread t = new MergeThread(mergeSource, merge) {
        @Override
        public void run() {
          Background.lowerPriority();
          super.run();
        }
      };
      t.setDaemon(true);
      t.setName("Lucene Merge Thread #" + started++);
      return t;
    }
  }

  // ---- writing (the ingestor's side) ----

  /** Adds or replaces (same id) one exchange. Thread-safe. */
  void put(String id, Document doc) throws IOException {
    writer.updateDocument(new Term(Fields.ID, id), doc);
  }

  /**
   * Tells the index that every exchange numbered up to {@code seq} has been added (batches are
   * indexed by several threads, so a higher number can become visible before a lower one).
   */
  void markIndexedThrough(long seq) {
    completedSeq = seq;
  }

  void deleteOlderThan(long cutoffMicros) throws IOException {
    writer.deleteDocuments(LongPoint.newRangeQuery(Fields.TIME, Long.MIN_VALUE, cutoffMicros - 1));
  }

  /** Durably commits everything added so far together with {@code userData} (offsets, sequence). */
  void commit(Map<String, String> userData) throws IOException {
    writer.setLiveCommitData(Map.copyOf(userData).entrySet());
    writer.commit();
  }

  /** The user data of the commit this index was opened at (empty for a new index). */
  Map<String, String> lastCommitData() {
    return lastCommitData;
  }

  void addRefreshListener(ReferenceManager.RefreshListener listener) {
    searchers.addListener(listener);
  }

  /** Makes everything added so far visible to searches now (normally this happens on a timer). */
  public void refresh() {
    try {
      searchers.maybeRefreshBlocking();
    } catch (IOException e) {
      throw new UncheckedIOException("refreshing the index in " + dir + " failed", e);
    }
  }

  /**
   * The ingestor says whether it is reading a backlog. While it is, the index refreshes once per
   * {@link #CATCH_UP_REFRESH} instead of every interval: each refresh writes the documents added
   * since the last one as a new small segment that merges rewrite later, and exchanges that waited
   * in the topic do not gain from being visible a fraction of a second sooner.
   */
  void catchingUp(boolean backlog) {
    catchingUp = backlog;
  }

  static final long CATCH_UP_REFRESH = TimeUnit.SECONDS.toNanos(1);

  private void refreshQuietly() {
    long now = System.nanoTime();
    if (catchingUp && now - lastRefreshNanos < CATCH_UP_REFRESH) {
      return;
    }
    lastRefreshNanos = now;
    try {
      searchers.maybeRefresh();
    } catch (IOException | RuntimeException e) {
      LOG.warn("refreshing the index in {} failed: {}", dir, e.toString());
    }
  }

  // ---- reading ----

  /**
   * A page of summaries matching {@code q}, newest first.
   *
   * @param limit 1..1000
   * @param cursor a {@link Page#nextCursor()} from an earlier call with the same query, or null for
   *     the first page
   * @throws BadQueryException when {@code q} is not valid
   * @throws IllegalArgumentException when {@code cursor} was not handed out by this API or limit is
   *     out of range
   */
  public Page search(@Nullable String q, int limit, @Nullable String cursor) throws BadQueryException {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT + ": " + limit);
    }
    Query query = QueryLanguage.parse(q);
    FieldDoc after = cursor == null || cursor.isEmpty() ? null : Cursor.decode(cursor);
    long start = System.nanoTime();
    IndexSearcher s = acquire();
    try {
      int maxDoc = s.getIndexReader().maxDoc();
      if (maxDoc == 0) {
        return new Page(List.of(), null);
      }
      if (after != null) {
        // Ties on (time, id) are only the cursor's own entry: a doc id past every doc skips it.
        after = new FieldDoc(maxDoc - 1, Float.NaN, after.fields);
      }
      List<ExchangeSummary> items = summaries(s, top(s, query, after, limit, NEWEST_FIRST));
      String next = null;
      if (items.size() == limit) {
        ExchangeSummary last = items.get(items.size() - 1);
        next = Cursor.encode(last.time(), last.id());
      }
      return new Page(items, next);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      release(s);
      queryTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** How many exchanges match {@code q}. */
  public int count(@Nullable String q) throws BadQueryException {
    Query query = QueryLanguage.parse(q);
    IndexSearcher s = acquire();
    try {
      return s.count(query);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      release(s);
    }
  }

  /** The whole exchange with this id, as stored (its wire form). */
  public Optional<byte[]> source(String id) {
    requireNonNull(id, "id");
    IndexSearcher s = acquire();
    try {
      TopFieldDocs top = s.search(new TermQuery(new Term(Fields.ID, id)), 1, NEWEST_FIRST, false);
      if (top.scoreDocs.length == 0) {
        return Optional.empty();
      }
      return Optional.of(source(s.storedFields(), top.scoreDocs[0].doc));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      release(s);
    }
  }

  /** The whole exchange with this id. */
  public Optional<Exchange> get(String id) {
    return source(id).map(ExchangeCodec::decode);
  }

  /**
   * The endpoint catalog: one entry per service, method and path template among the exchanges that
   * match the filters (null = any), ordered by service, template, method.
   *
   * @param routingKey a routing key, or {@code ""} for baseline traffic only
   */
  public List<EndpointStats> endpoints(@Nullable String service, @Nullable String routingKey) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    b.add(org.apache.lucene.search.MatchAllDocsQuery.INSTANCE, Occur.MUST);
    if (service != null && !service.isEmpty()) {
      b.add(new TermQuery(new Term(Fields.SERVICE, service)), Occur.FILTER);
    }
    if (routingKey != null) {
      if (routingKey.isEmpty()) {
        b.add(new TermQuery(new Term(Fields.TARGET, Exchange.BASELINE)), Occur.FILTER);
      } else {
        b.add(new TermQuery(new Term(Fields.ROUTING_KEY, routingKey)), Occur.FILTER);
      }
    }
    long start = System.nanoTime();
    IndexSearcher s = acquire();
    try {
      return Catalog.collect(s, b.build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      release(s);
      queryTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Writes every exchange matching {@code q} to {@code out} as NDJSON (one wire-form exchange per
   * line), oldest first, page by page: memory stays constant however many match. The set written is
   * a snapshot taken when the export starts.
   *
   * @return how many exchanges were written
   */
  public long export(@Nullable String q, OutputStream out) throws BadQueryException, IOException {
    Query query = QueryLanguage.parse(q);
    IndexSearcher s = acquire();
    long n = 0;
    try {
      StoredFields stored = s.storedFields();
      FieldDoc after = null;
      while (true) {
        ScoreDoc[] page = top(s, query, after, 256, OLDEST_FIRST);
        for (ScoreDoc sd : page) {
          out.write(source(stored, sd.doc));
          out.write('\n');
          n++;
        }
        if (page.length < 256) {
          return n;
        }
        after = (FieldDoc) page[page.length - 1];
      }
    } finally {
      release(s);
    }
  }

  /**
   * Up to {@code limit} hits of {@code query} after {@code after} in {@code sort} order. A query with
   * phrases in bodies ({@link ConfirmedPhraseQuery}) runs in two steps: its candidates (each phrase
   * reduced to its terms) are read in order a page at a time, and only those are confirmed. A page
   * of results then costs about as many confirmations as it holds, however many exchanges in the
   * index have the phrase's terms, where letting Lucene confirm while it collects would confirm
   * every candidate older than the newest ones too.
   */
  private static ScoreDoc[] top(IndexSearcher s, Query query, @Nullable FieldDoc after, int limit, Sort sort)
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
  private static Integer[] byDoc(ScoreDoc[] hits) {
    Integer[] order = new Integer[hits.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(hits[a].doc, hits[b].doc));
    return order;
  }

  /** Number of exchanges in the index (as of the last refresh). */
  public int size() {
    IndexSearcher s = acquire();
    try {
      return s.getIndexReader().numDocs();
    } finally {
      release(s);
    }
  }

  /** Bytes the index takes on disk. */
  public long sizeOnDisk() {
    long total = 0;
    try {
      for (String f : directory.listAll()) {
        try {
          total += directory.fileLength(f);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
          // merged away while counting
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return total;
  }

  public Path directory() {
    return dir;
  }

  /**
   * A stream event: an exchange indexed after a given sequence number; a null summary only marks
   * how far the search looked.
   */
  record Indexed(long seq, @Nullable ExchangeSummary summary) {}

  /**
   * Up to {@code max} exchanges matching {@code query} numbered after {@code afterSeq}, in ingest
   * order, never past the point up to which every exchange is visible: a stream that advances
   * through these never skips one.
   */
  List<Indexed> indexedAfter(Query query, long afterSeq, int max) throws IOException {
    long upTo = visibleSeq;
    if (upTo <= afterSeq) {
      return List.of();
    }
    Query q = new BooleanQuery.Builder()
        .add(query, Occur.MUST)
        .add(LongPoint.newRangeQuery(Fields.SEQ, afterSeq + 1, upTo), Occur.FILTER)
        .build();
    IndexSearcher s = acquire();
    try {
      TopFieldDocs top = s.search(q, max, BY_SEQ, false);
      List<ExchangeSummary> items = summaries(s, top.scoreDocs);
      List<Indexed> out = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        out.add(new Indexed((Long) ((FieldDoc) top.scoreDocs[i]).fields[0], items.get(i)));
      }
      if (out.size() < max) {
        // nothing else matches up to upTo: the caller may move past it
        out.add(new Indexed(upTo, null));
      }
      return out;
    } finally {
      release(s);
    }
  }

  /** The ingest sequence number of an exchange, or -1 when it is not in the index. */
  long seqOf(String id) throws IOException {
    IndexSearcher s = acquire();
    try {
      TopFieldDocs top = s.search(new TermQuery(new Term(Fields.ID, id)), 1, BY_SEQ, false);
      return top.scoreDocs.length == 0 ? -1 : (Long) ((FieldDoc) top.scoreDocs[0]).fields[0];
    } finally {
      release(s);
    }
  }

  /** Every exchange numbered up to this is visible to searches (-1 for none). */
  long maxVisibleSeq() {
    return visibleSeq;
  }

  private IndexSearcher acquire() {
    try {
      return searchers.acquire();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void release(IndexSearcher s) {
    try {
      searchers.release(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The stored wire form of the exchange {@code doc}. */
  static byte[] source(StoredFields stored, int doc) throws IOException {
    Document d = stored.document(doc, java.util.Set.of(Fields.SOURCE));
    BytesRef b = d.getBinaryValue(Fields.SOURCE);
    return Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length);
  }

  /** Reads summaries from doc values, visiting hits in doc order (doc values iterate forward only). */
  static List<ExchangeSummary> summaries(IndexSearcher s, ScoreDoc[] hits) throws IOException {
    Integer[] order = byDoc(hits);
    ExchangeSummary[] out = new ExchangeSummary[hits.length];
    List<LeafReaderContext> leaves = s.getIndexReader().leaves();
    int currentLeaf = -1;
    LeafValues values = null;
    for (int i : order) {
      int doc = hits[i].doc;
      int leaf = ReaderUtil.subIndex(doc, leaves);
      if (leaf != currentLeaf) {
        currentLeaf = leaf;
        values = new LeafValues(leaves.get(leaf).reader());
      }
      out[i] = values.summary(doc - leaves.get(leaf).docBase);
    }
    return List.of(out);
  }

  /** Doc-values readers of one segment. */
  static final class LeafValues {
    final BinaryDocValues id;
    final SortedDocValues service;
    final SortedDocValues routingKey;
    final SortedDocValues target;
    final SortedDocValues method;
    final BinaryDocValues path;
    final SortedDocValues template;
    final NumericDocValues time;
    final NumericDocValues status;
    final NumericDocValues duration;
    final NumericDocValues requestSize;
    final NumericDocValues responseSize;

    LeafValues(LeafReader r) throws IOException {
      id = DocValues.getBinary(r, Fields.ID);
      service = DocValues.getSorted(r, Fields.SERVICE);
      routingKey = DocValues.getSorted(r, Fields.ROUTING_KEY);
      target = DocValues.getSorted(r, Fields.TARGET);
      method = DocValues.getSorted(r, Fields.METHOD);
      path = DocValues.getBinary(r, Fields.PATH);
      template = DocValues.getSorted(r, Fields.TEMPLATE);
      time = DocValues.getNumeric(r, Fields.TIME);
      status = DocValues.getNumeric(r, Fields.STATUS);
      duration = DocValues.getNumeric(r, Fields.DURATION);
      requestSize = DocValues.getNumeric(r, Fields.REQUEST_SIZE);
      responseSize = DocValues.getNumeric(r, Fields.RESPONSE_SIZE);
    }

    ExchangeSummary summary(int doc) throws IOException {
      return new ExchangeSummary(
          string(id, doc), number(time, doc), string(service, doc), nullableString(routingKey, doc),
          string(target, doc), string(method, doc), string(path, doc), string(template, doc),
          (int) number(status, doc), number(duration, doc), number(requestSize, doc), number(responseSize, doc));
    }

    static String string(SortedDocValues dv, int doc) throws IOException {
      String v = nullableString(dv, doc);
      return v == null ? "" : v;
    }

    static @Nullable String nullableString(SortedDocValues dv, int doc) throws IOException {
      return dv.advanceExact(doc) ? dv.lookupOrd(dv.ordValue()).utf8ToString() : null;
    }

    static String string(BinaryDocValues dv, int doc) throws IOException {
      return dv.advanceExact(doc) ? dv.binaryValue().utf8ToString() : "";
    }

    static long number(NumericDocValues dv, int doc) throws IOException {
      return dv.advanceExact(doc) ? dv.longValue() : 0;
    }
  }

  /** Visits every live document matching {@code query}, leaf by leaf in doc order. */
  interface LeafVisitor {
    void leaf(LeafReaderContext ctx) throws IOException;

    void doc(int doc) throws IOException;
  }

  static void scan(IndexSearcher s, Query query, LeafVisitor v) throws IOException {
    Weight w = s.createWeight(s.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
      Scorer scorer = w.scorer(ctx);
      if (scorer == null) {
        continue;
      }
      v.leaf(ctx);
      Bits live = ctx.reader().getLiveDocs();
      DocIdSetIterator it = scorer.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if (live == null || live.get(doc)) {
          v.doc(doc);
        }
      }
    }
  }

  /** Only the owning {@link Recorder} closes its index. */
  void close() {
    stopRefresher();
    try {
      searchers.close();
      writer.close();
      directory.close();
    } catch (IOException e) {
      throw new UncheckedIOException("closing the index in " + dir + " failed", e);
    }
  }

  // Not shutdownNow: interrupting a thread in the middle of Lucene file I/O closes the channel
  // under the index writer (ClosedByInterruptException) and invalidates its lock.
  private void stopRefresher() {
    refresher.shutdown();
    try {
      refresher.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes without committing what was added since the last commit (as a crash would lose it). */
  void rollback() {
    stopRefresher();
    try {
      searchers.close();
      writer.rollback();
      directory.close();
    } catch (IOException e) {
      LOG.warn("rolling back the index in {} failed: {}", dir, e.toString());
    }
  }
}
