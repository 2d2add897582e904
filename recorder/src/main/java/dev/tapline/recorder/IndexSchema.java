package dev.tapline.recorder;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.PathTemplater;
import dev.tapline.core.Response;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/** How an exchange becomes a Lucene document, and the analyzer that reads queries the same way. */
final class IndexSchema {
  // Lucene rejects terms over 32766 bytes; a keyword longer than this is cut (4 KiB chars <= 12 KiB).
  private static final int MAX_KEYWORD_CHARS = 4096;

  private static final FieldType TEXT_NO_NORMS = new FieldType(TextField.TYPE_NOT_STORED);

  static {
    // Relevance is not how traffic is ranked (newest first is): norms would only cost space.
    TEXT_NO_NORMS.setOmitNorms(true);
    TEXT_NO_NORMS.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
    TEXT_NO_NORMS.freeze();
  }

  // Headers are matched term by term (see QueryLanguage): no freqs or positions, a third of the size.
  private static final FieldType HEADER_TYPE = new FieldType(TextField.TYPE_NOT_STORED);

  static {
    HEADER_TYPE.setOmitNorms(true);
    HEADER_TYPE.setIndexOptions(IndexOptions.DOCS);
    HEADER_TYPE.freeze();
  }

  /**
   * The version of how exchanges are analyzed, written into every commit: an index written by an
   * older version answers full-text queries for its older exchanges differently until rebuilt.
   * 2: {@link TermTokenizer} (1: Lucene's StandardAnalyzer for bodies).
   */
  static final String VERSION = "2";
  static final String VERSION_KEY = "schema";

  // A keyword is one term and a sorted doc value (summaries, sorting, the catalog) from one field:
  // the same index as a StringField plus a SortedDocValuesField, with one UTF-8 conversion.
  private static final FieldType KEYWORD_TYPE = new FieldType(StringField.TYPE_NOT_STORED);

  static {
    KEYWORD_TYPE.setDocValuesType(DocValuesType.SORTED);
    KEYWORD_TYPE.freeze();
  }

  private IndexSchema() {}

  static Analyzer analyzer() {
    Map<String, Analyzer> perField = new HashMap<>();
    perField.put(Fields.BODY, TermTokenizer.analyzer(TermTokenizer.Rule.WORDS));
    perField.put(Fields.HEADER, TermTokenizer.analyzer(TermTokenizer.Rule.SEPARATED));
    return new PerFieldAnalyzerWrapper(new KeywordAnalyzer(), perField);
  }

  /**
   * @param source the exchange's wire form, stored as is
   * @param seq the ingest sequence number
   */
  static Document document(Exchange e, byte[] source, long seq) {
    Document d = new Document();
    keyword(d, Fields.ID, e.id());
    keyword(d, Fields.SERVICE, e.service());
    if (e.routingKey() != null) {
      keyword(d, Fields.ROUTING_KEY, e.routingKey());
    }
    keyword(d, Fields.TARGET, e.target());
    keyword(d, Fields.METHOD, e.request().method().toUpperCase(Locale.ROOT));
    keyword(d, Fields.PATH, e.request().path());
    keyword(d, Fields.TEMPLATE, PathTemplater.template(e.request().path()));
    d.add(new StringField(Fields.HOST, cut(e.request().authority().toLowerCase(Locale.ROOT)), Field.Store.NO));
    if (e.error() != null) {
      d.add(new StringField(Fields.ERROR, e.error().kind().name(), Field.Store.NO));
    }
    int status = e.status();
    d.add(new IntPoint(Fields.STATUS, status));
    d.add(new NumericDocValuesField(Fields.STATUS, status));
    longField(d, Fields.DURATION, e.durationMicros());
    longField(d, Fields.TIME, e.startedAt());
    longField(d, Fields.SEQ, seq);
    d.add(new NumericDocValuesField(Fields.REQUEST_SIZE, e.request().body().originalSize()));
    Response r = e.response();
    d.add(new NumericDocValuesField(Fields.RESPONSE_SIZE, r == null ? 0 : r.body().originalSize()));

    StringBuilder headers = new StringBuilder(512);
    appendHeaders(headers, e.request().headers());
    if (r != null) {
      appendHeaders(headers, r.headers());
    }
    d.add(new Field(Fields.HEADER, headers.toString(), HEADER_TYPE));

    String reqText = text(e.request().body());
    String respText = r == null ? null : text(r.body());
    if (reqText != null) {
      d.add(new Field(Fields.BODY, reqText, TEXT_NO_NORMS));
    }
    if (respText != null) {
      d.add(new Field(Fields.BODY, respText, TEXT_NO_NORMS));
    }
    if (e.error() != null && !e.error().message().isEmpty()) {
      d.add(new Field(Fields.BODY, e.error().message(), TEXT_NO_NORMS));
    }
    d.add(new StoredField(Fields.SOURCE, source));
    return d;
  }

  private static void keyword(Document d, String field, String value) {
    d.add(new Field(field, new BytesRef(cut(value)), KEYWORD_TYPE));
  }

  private static void longField(Document d, String field, long value) {
    d.add(new LongPoint(field, value));
    d.add(new NumericDocValuesField(field, value));
  }

  private static void appendHeaders(StringBuilder out, Headers headers) {
    for (Header h : headers.entries()) {
      out.append(h.name()).append(' ').append(h.value()).append('\n');
    }
  }

  private static @Nullable String text(Body b) {
    if (b.bytes().length == 0) {
      return null;
    }
    return b.textOrNull();
  }

  private static String cut(String s) {
    return s.length() <= MAX_KEYWORD_CHARS ? s : s.substring(0, MAX_KEYWORD_CHARS);
  }
}
