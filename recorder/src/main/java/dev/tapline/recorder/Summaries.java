package dev.tapline.recorder;

import dev.tapline.core.api.ExchangeSummary;
import java.io.IOException;
import java.util.List;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.jspecify.annotations.Nullable;

/** The {@link ExchangeSummary} of each hit, read from doc values (the stored exchange is not read). */
final class Summaries {
  private Summaries() {}

  /** Reads summaries from doc values, visiting hits in doc order (doc values iterate forward only). */
  static List<ExchangeSummary> read(IndexSearcher s, ScoreDoc[] hits) throws IOException {
    Integer[] order = PhrasePaging.byDoc(hits);
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
    final SortedSetDocValues operation;

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
      operation = DocValues.getSortedSet(r, Fields.ENDPOINT_OPERATION);
    }

    ExchangeSummary summary(int doc) throws IOException {
      return new ExchangeSummary(
          string(id, doc), number(time, doc), string(service, doc), nullableString(routingKey, doc),
          string(target, doc), string(method, doc), string(path, doc), string(template, doc),
          (int) number(status, doc), number(duration, doc), number(requestSize, doc), number(responseSize, doc),
          operations(operation, doc));
    }

    /** {@code query GetUser}; a batch's operations joined by {@code ", "}; {@code ""} for none. */
    static String operations(SortedSetDocValues dv, int doc) throws IOException {
      if (!dv.advanceExact(doc)) {
        return "";
      }
      int n = dv.docValueCount();
      if (n == 1) {
        return dv.lookupOrd(dv.nextOrd()).utf8ToString();
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          sb.append(", ");
        }
        sb.append(dv.lookupOrd(dv.nextOrd()).utf8ToString());
      }
      return sb.toString();
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
}
