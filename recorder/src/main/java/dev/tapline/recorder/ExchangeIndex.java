package dev.tapline.recorder;

import static java.util.Objects.requireNonNull;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.Origin;
import dev.tapline.core.PrivateFiles;
import dev.tapline.core.api.EndpointStats;
import dev.tapline.core.api.ExchangeSummary;
import dev.tapline.core.api.Page;
import dev.tapline.core.endpoint.Endpoints;
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
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.ExitableDirectoryReader.ExitingReaderException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig.OpenMode;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ReferenceManager;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Lucene index of exchanges, searchable in process. A {@link Recorder} owns one, keeps it fed
 * from Kafka and answers its HTTP API from it; {@link Recorder#index()} hands it to code in the same
 * process (the UI calls the HTTP API instead).
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
 * ingestor reads a backlog). A query over the limits of its cost ({@code QueryLimits}) is a {@link
 * BadQueryException}; one that runs past the query timeout is stopped with a {@link
 * QueryTimeoutException} ({@code QueryDeadline}).
 *
 * <p>This class opens the index (rewriting one written by another schema version first, {@code
 * SchemaRewrite}), adds, deletes and commits exchanges for the ingestor, refreshes what searches
 * see, and searches: a page of summaries, a count, one exchange, the endpoint catalog, an export,
 * the live stream's next exchanges. Paging through the candidates of a phrase ({@code
 * PhrasePaging}), reading summaries ({@code Summaries}) and building the catalog ({@code Catalog})
 * each have a class of their own.
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
  private final Duration queryTimeout;
  /** Every exchange with a sequence number up to this one has been added to the writer. */
  private volatile long completedSeq;
  /** Every exchange with a sequence number up to this one is visible to searches. */
  private volatile long visibleSeq;
  /** True while the ingestor reads a backlog (full batches) rather than live traffic. */
  private volatile boolean catchingUp;
  private long lastRefreshNanos;

  private ExchangeIndex(Path dir, Directory directory, IndexWriter writer, SearcherManager searchers,
      Map<String, String> lastCommitData, Duration refreshInterval, Duration queryTimeout, MeterRegistry meters) {
    this.dir = dir;
    this.queryTimeout = queryTimeout;
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
    return open(dir, rebuild, refreshInterval, RecorderConfig.DEFAULT_QUERY_TIMEOUT, meters, Endpoints.defaults());
  }

  /**
   * Opens (or creates) the index in {@code dir}; an index of another schema is rewritten with
   * {@code endpoints} naming the templates. Each query may run for {@code queryTimeout} (each page
   * of an export too; each look of the live stream at most a second of it).
   */
  static ExchangeIndex open(Path dir, boolean rebuild, Duration refreshInterval, Duration queryTimeout,
      MeterRegistry meters, Endpoints endpoints) {
    requireNonNull(dir, "dir");
    try {
      PrivateFiles.directory(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the index directory " + dir, e);
    }
    Directory directory = null;
    IndexWriter writer = null;
    try {
      directory = FSDirectory.open(dir);
      if (!rebuild && DirectoryReader.indexExists(directory) && SchemaRewrite.writtenByAnotherSchema(directory)) {
        SchemaRewrite.rewrite(directory, dir, config(OpenMode.CREATE), endpoints);
      }
      writer = new IndexWriter(directory, config(rebuild ? OpenMode.CREATE : OpenMode.CREATE_OR_APPEND));
      Map<String, String> data = new HashMap<>();
      Iterable<Map.Entry<String, String>> live = writer.getLiveCommitData();
      if (live != null && !rebuild) {
        live.forEach(e -> data.put(e.getKey(), e.getValue()));
      }
      SearcherManager searchers = new SearcherManager(writer, true, false, null);
      return new ExchangeIndex(dir, directory, writer, searchers, Map.copyOf(data), refreshInterval, queryTimeout, meters);
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
   * @throws BadQueryException when {@code q} is not valid or over a limit of its cost
   * @throws QueryTimeoutException when the search ran past its deadline (and was stopped)
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
    QueryDeadline deadline = QueryDeadline.in(queryTimeout);
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
      ScoreDoc[] hits = PhrasePaging.top(deadline.searcher(s, query), query, after, limit, NEWEST_FIRST);
      deadline.throwIfExceeded();
      List<ExchangeSummary> items = Summaries.read(s, hits);
      String next = null;
      if (items.size() == limit) {
        ExchangeSummary last = items.get(items.size() - 1);
        next = Cursor.encode(last.time(), last.id());
      }
      return new Page(items, next);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ExitingReaderException e) {
      throw deadline.stopped();
    } catch (IndexSearcher.TooManyClauses e) {
      throw tooManyClauses(q);
    } finally {
      release(s);
      queryTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /** How many exchanges match {@code q}. */
  public int count(@Nullable String q) throws BadQueryException {
    Query query = QueryLanguage.parse(q);
    QueryDeadline deadline = QueryDeadline.in(queryTimeout);
    IndexSearcher s = acquire();
    try {
      int n = deadline.searcher(s, query).count(query);
      deadline.throwIfExceeded();
      return n;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ExitingReaderException e) {
      throw deadline.stopped();
    } catch (IndexSearcher.TooManyClauses e) {
      throw tooManyClauses(q);
    } finally {
      release(s);
    }
  }

  /** Lucene counts clauses again once fuzzy terms are expanded. */
  private static BadQueryException tooManyClauses(@Nullable String q) {
    return new BadQueryException("the query has more than " + QueryLimits.MAX_CLAUSES + " clauses once its"
        + " fuzzy terms are expanded: use fewer terms", 0, String.valueOf(q));
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
    return endpoints(service, routingKey, Origin.DEFAULT);
  }

  /**
   * The endpoint catalog of the traffic of these origins (users' {@code live} traffic by default:
   * Tapline's own replay, test and verify requests would otherwise invent endpoints and skew counts).
   */
  public List<EndpointStats> endpoints(@Nullable String service, @Nullable String routingKey, Set<Origin> origins) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    if (origins.size() < Origin.values().length) {
      BooleanQuery.Builder any = new BooleanQuery.Builder();
      for (Origin o : origins) {
        any.add(new TermQuery(new Term(Fields.ORIGIN, o.wireName())), Occur.SHOULD);
      }
      b.add(any.build(), Occur.FILTER);
    }
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
    QueryDeadline deadline = QueryDeadline.in(queryTimeout);
    IndexSearcher s = acquire();
    try {
      List<EndpointStats> out = Catalog.collect(deadline.searcher(s, false), b.build());
      deadline.throwIfExceeded();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ExitingReaderException e) {
      throw deadline.stopped();
    } finally {
      release(s);
      queryTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Writes every exchange matching {@code q} to {@code out} as NDJSON (one wire-form exchange per
   * line), oldest first, page by page: memory stays constant however many match. The set written is
   * a snapshot taken when the export starts. Each page of 256 is found within the query timeout; the
   * export as a whole may take longer, and ends when writing to {@code out} fails.
   *
   * @return how many exchanges were written
   * @throws QueryTimeoutException when finding a page ran past the query timeout (and was stopped)
   */
  public long export(@Nullable String q, OutputStream out) throws BadQueryException, IOException {
    Query query = QueryLanguage.parse(q);
    IndexSearcher s = acquire();
    long n = 0;
    try {
      StoredFields stored = s.storedFields();
      FieldDoc after = null;
      while (true) {
        ScoreDoc[] page = exportPage(s, query, after, q);
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

  private ScoreDoc[] exportPage(IndexSearcher s, Query query, @Nullable FieldDoc after, @Nullable String q)
      throws IOException, BadQueryException {
    QueryDeadline deadline = QueryDeadline.in(queryTimeout);
    try {
      ScoreDoc[] page = PhrasePaging.top(deadline.searcher(s, query), query, after, 256, OLDEST_FIRST);
      deadline.throwIfExceeded();
      return page;
    } catch (ExitingReaderException e) {
      throw deadline.stopped();
    } catch (IndexSearcher.TooManyClauses e) {
      throw tooManyClauses(q);
    }
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
   *
   * @throws QueryTimeoutException when the look ran past {@link #streamTimeout()} (and was stopped)
   */
  List<Indexed> indexedAfter(Query query, long afterSeq, int max) throws IOException {
    long upTo = visibleSeq;
    if (upTo <= afterSeq) {
      return List.of();
    }
    // The range first: Lucene can give up on a segment at a required clause that matches nothing
    // there, before it looks at the rest (a wildcard would walk the segment's terms).
    Query q = new BooleanQuery.Builder()
        .add(LongPoint.newRangeQuery(Fields.SEQ, afterSeq + 1, upTo), Occur.FILTER)
        .add(query, Occur.MUST)
        .build();
    QueryDeadline deadline = QueryDeadline.in(streamTimeout());
    IndexSearcher s = acquire();
    try {
      TopFieldDocs top = deadline.searcher(s, query).search(q, max, BY_SEQ, false);
      deadline.throwIfExceeded();
      List<ExchangeSummary> items = Summaries.read(s, top.scoreDocs);
      List<Indexed> out = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        out.add(new Indexed((Long) ((FieldDoc) top.scoreDocs[i]).fields[0], items.get(i)));
      }
      if (out.size() < max) {
        // nothing else matches up to upTo: the caller may move past it
        out.add(new Indexed(upTo, null));
      }
      return out;
    } catch (ExitingReaderException e) {
      throw deadline.stopped();
    } finally {
      release(s);
    }
  }

  /**
   * How long one look of the live stream may take: the dispatcher looks for every client in turn
   * after each refresh, so one slow filter must not hold up the others for long.
   */
  Duration streamTimeout() {
    return queryTimeout.compareTo(MAX_STREAM_LOOK) < 0 ? queryTimeout : MAX_STREAM_LOOK;
  }

  static final Duration MAX_STREAM_LOOK = Duration.ofSeconds(1);

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
