package dev.tapline.recorder;

import dev.tapline.core.api.EndpointStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;

/** Builds the endpoint catalog by scanning the doc values of the matching exchanges. */
final class Catalog {
  private Catalog() {}

  static List<EndpointStats> collect(IndexSearcher s, Query query) throws IOException {
    Map<String, Group> groups = new HashMap<>();
    scan(s, query, new LeafVisitor() {
      SortedDocValues service;
      SortedDocValues method;
      SortedDocValues template;
      SortedSetDocValues operation;
      BinaryDocValues id;
      NumericDocValues time;
      NumericDocValues status;
      NumericDocValues duration;
      // Per segment, a group is found by ordinals; strings are looked up once per distinct key.
      final Map<Long, Group> byOrds = new HashMap<>();

      @Override
      public void leaf(LeafReaderContext ctx) throws IOException {
        service = DocValues.getSorted(ctx.reader(), Fields.SERVICE);
        method = DocValues.getSorted(ctx.reader(), Fields.METHOD);
        template = DocValues.getSorted(ctx.reader(), Fields.TEMPLATE);
        operation = DocValues.getSortedSet(ctx.reader(), Fields.ENDPOINT_OPERATION);
        id = DocValues.getBinary(ctx.reader(), Fields.ID);
        time = DocValues.getNumeric(ctx.reader(), Fields.TIME);
        status = DocValues.getNumeric(ctx.reader(), Fields.STATUS);
        duration = DocValues.getNumeric(ctx.reader(), Fields.DURATION);
        byOrds.clear();
      }

      @Override
      public void doc(int doc) throws IOException {
        int so = service.advanceExact(doc) ? service.ordValue() : -1;
        int mo = method.advanceExact(doc) ? method.ordValue() : -1;
        int to = template.advanceExact(doc) ? template.ordValue() : -1;
        long t = time.advanceExact(doc) ? time.longValue() : 0;
        int st = status.advanceExact(doc) ? (int) status.longValue() : 0;
        long d = duration.advanceExact(doc) ? duration.longValue() : 0;
        String exampleId = null;
        // A GraphQL batch counts once for each operation it carries.
        int operations = operation.advanceExact(doc) ? operation.docValueCount() : 0;
        for (int i = 0; i < Math.max(1, operations); i++) {
          long oo = operations == 0 ? -1 : operation.nextOrd();
          Group g = group(so, mo, to, oo);
          g.add(t, st, d);
          if (g.exampleId == null || t > g.lastExampleTime) {
            g.lastExampleTime = t;
            if (exampleId == null) {
              exampleId = Summaries.LeafValues.string(id, doc);
            }
            g.exampleId = exampleId;
          }
        }
      }

      private Group group(int so, int mo, int to, long oo) throws IOException {
        long key = (((long) so << 42) ^ ((long) mo << 21) ^ to) * 1_000_003L + oo;
        Group g = byOrds.get(key);
        if (g == null || so != g.so || mo != g.mo || to != g.to || oo != g.oo) {
          String sv = so < 0 ? "" : service.lookupOrd(so).utf8ToString();
          String mv = mo < 0 ? "" : method.lookupOrd(mo).utf8ToString();
          String tv = to < 0 ? "" : template.lookupOrd(to).utf8ToString();
          String ov = oo < 0 ? "" : operation.lookupOrd(oo).utf8ToString();
          g = groups.computeIfAbsent(sv + '\n' + mv + '\n' + tv + '\n' + ov, k -> new Group(sv, mv, tv, ov));
          g.so = so;
          g.mo = mo;
          g.to = to;
          g.oo = oo;
          byOrds.put(key, g);
        }
        return g;
      }
    });
    List<EndpointStats> out = new ArrayList<>(groups.size());
    for (Group g : groups.values()) {
      out.add(g.toEndpoint());
    }
    out.sort(Comparator.comparing(EndpointStats::service).thenComparing(EndpointStats::template)
        .thenComparing(EndpointStats::method).thenComparing(EndpointStats::operation));
    return out;
  }

  /** Visits every live document matching {@code query}, leaf by leaf in doc order. */
  private interface LeafVisitor {
    void leaf(LeafReaderContext ctx) throws IOException;

    void doc(int doc) throws IOException;
  }

  private static void scan(IndexSearcher s, Query query, LeafVisitor v) throws IOException {
    Weight w = s.createWeight(s.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext ctx : s.getIndexReader().leaves()) {
      Scorer scorer = w.scorer(ctx);
      if (scorer == null) {
        continue;
      }
      v.leaf(ctx);
      Bits live = ctx.reader().getLiveDocs();
      DocIdSetIterator it = scorer.iterator();
      QueryDeadline deadline = QueryDeadline.of(s);
      int n = 0;
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        // This loop collects outside Lucene's collectors, which would check the deadline.
        if (deadline != null && (++n & 4095) == 0) {
          deadline.check();
        }
        if (live == null || live.get(doc)) {
          v.doc(doc);
        }
      }
    }
  }

  private static final class Group {
    final String service;
    final String method;
    final String template;
    final String operation;
    int so;
    int mo;
    int to;
    long oo;
    long count;
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long lastExampleTime = Long.MIN_VALUE;
    String exampleId;
    final Map<Integer, Long> statuses = new TreeMap<>();
    long[] durations = new long[16];

    Group(String service, String method, String template, String operation) {
      this.service = service;
      this.method = method;
      this.template = template;
      this.operation = operation;
    }

    void add(long time, int status, long duration) {
      if (count == durations.length) {
        durations = Arrays.copyOf(durations, durations.length * 2);
      }
      durations[(int) count] = duration;
      count++;
      first = Math.min(first, time);
      last = Math.max(last, time);
      statuses.merge(status, 1L, Long::sum);
    }

    EndpointStats toEndpoint() {
      long[] sorted = Arrays.copyOf(durations, (int) count);
      Arrays.sort(sorted);
      return new EndpointStats(service, method, template, operation, count, first, last, new LinkedHashMap<>(statuses),
          percentile(sorted, 0.50), percentile(sorted, 0.95), percentile(sorted, 0.99),
          exampleId == null ? "" : exampleId);
    }

    /** Nearest-rank percentile. */
    private static long percentile(long[] sorted, double p) {
      if (sorted.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(p * sorted.length);
      return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
  }
}
