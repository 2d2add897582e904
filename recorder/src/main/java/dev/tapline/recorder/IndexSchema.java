package dev.tapline.recorder;

import dev.tapline.core.Body;
import dev.tapline.core.Exchange;
import dev.tapline.core.Header;
import dev.tapline.core.Headers;
import dev.tapline.core.Origin;
import dev.tapline.core.Response;
import dev.tapline.core.endpoint.EndpointKey;
import dev.tapline.core.endpoint.Endpoints;
import dev.tapline.core.endpoint.Resolution;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.core.KeywordAnalyzer;
import org.apache.lucene.analysis.miscellaneous.PerFieldAnalyzerWrapper;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedSetDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/** How an exchange becomes a Lucene document, and the analyzer that reads queries the same way. */
final class IndexSchema {
  // Lucene rejects terms over 32766 bytes; a keyword longer than this is cut (4 KiB chars <= 12 KiB).
  private static final int MAX_KEYWORD_CHARS = 4096;

  // Bodies are indexed as terms only: no norms (traffic is ranked newest first, not by relevance),
  // no frequencies and no positions. Those cost about an eighth of the ingest CPU and only phrases
  // need them: a phrase is confirmed against the stored bodies instead (ConfirmedPhraseQuery).
  static final IndexOptions BODY_OPTIONS = IndexOptions.DOCS;
  private static final FieldType BODY_TYPE = new FieldType(TextField.TYPE_NOT_STORED);

  static {
    BODY_TYPE.setOmitNorms(true);
    BODY_TYPE.setIndexOptions(BODY_OPTIONS);
    BODY_TYPE.freeze();
  }

  // Headers are matched term by term (see QueryLanguage): no freqs or positions, a third of the size.
  private static final FieldType HEADER_TYPE = new FieldType(TextField.TYPE_NOT_STORED);

  static {
    HEADER_TYPE.setOmitNorms(true);
    HEADER_TYPE.setIndexOptions(IndexOptions.DOCS);
    HEADER_TYPE.freeze();
  }

  /**
   * The version of how exchanges are indexed, written into every commit.
   * 7: {@code origin} (live, or Tapline's own replay/test/verify traffic); 6: GraphQL operations
   * ({@code operation}, {@code operationType}, {@code field}, and the catalog's {@code
   * endpointOperation}) from core's endpoint chain, which now includes GraphQL; 5: templates from
   * core's endpoint chain, parameters named after their resource ({@code
   * /orders/{orderId}}); 4: binary doc values for id and path; 3: bodies without positions; 2:
   * {@link TermTokenizer};
   * 1: Lucene's StandardAnalyzer for bodies.
   * An index of another version is rewritten from its stored exchanges when it is opened.
   */
  static final String VERSION = "7";
  static final String VERSION_KEY = "schema";

  // A keyword is one term and a doc value (summaries, sorting, the catalog) from one field: the
  // same index as a StringField plus a doc-values field, with one UTF-8 conversion. Keywords with
  // few distinct values (service, method, template...) keep sorted doc values: the catalog groups
  // by their ordinals. The two that are nearly unique per exchange, id and path, keep binary ones:
  // sorted doc values would hash, sort and (at every merge) map ordinals of about a million distinct
  // values per million exchanges, which nothing reads.
  private static final FieldType KEYWORD_TYPE = keywordType(DocValuesType.SORTED);
  private static final FieldType UNIQUE_KEYWORD_TYPE = keywordType(DocValuesType.BINARY);

  private static FieldType keywordType(DocValuesType docValues) {
    FieldType t = new FieldType(StringField.TYPE_NOT_STORED);
    t.setDocValuesType(docValues);
    t.freeze();
    return t;
  }

  /** The analyzer of documents: full text is analyzed as the document is built. */
  private static final Analyzer INDEX_ANALYZER = analyzer(TermTokenizer.Mode.DISTINCT);

  private IndexSchema() {}

  /**
   * The analyzer {@link #document} uses, for the index writer's configuration too (the writer
   * closes none of it, and finds every full-text field of a document analyzed already).
   */
  static Analyzer indexAnalyzer() {
    return INDEX_ANALYZER;
  }

  /**
   * Whether a segment holds a field the way another version of the schema wrote it, which this
   * version cannot add documents to (Lucene refuses a field whose options or doc-values type change):
   * {@code body} with positions, or {@code id} or {@code path} with sorted doc values.
   */
  static boolean writtenByAnotherVersion(FieldInfos segment) {
    FieldInfo body = segment.fieldInfo(Fields.BODY);
    if (body != null && body.getIndexOptions() != BODY_OPTIONS) {
      return true;
    }
    for (String unique : List.of(Fields.ID, Fields.PATH)) {
      FieldInfo f = segment.fieldInfo(unique);
      if (f != null && f.getDocValuesType() != UNIQUE_KEYWORD_TYPE.docValuesType()) {
        return true;
      }
    }
    return false;
  }

  /**
   * @param mode {@link TermTokenizer.Mode#DISTINCT} for documents (both analyzed fields are indexed
   *     without frequencies or positions), {@link TermTokenizer.Mode#ALL} for queries
   */
  static Analyzer analyzer(TermTokenizer.Mode mode) {
    Map<String, Analyzer> perField = new HashMap<>();
    perField.put(Fields.BODY, TermTokenizer.analyzer(TermTokenizer.Rule.WORDS, mode));
    perField.put(Fields.HEADER, TermTokenizer.analyzer(TermTokenizer.Rule.SEPARATED, mode));
    return new PerFieldAnalyzerWrapper(new KeywordAnalyzer(), perField);
  }

  /**
   * Builds the document, full text analyzed already ({@link AnalyzedField}): this runs on the
   * ingest's decoder threads, so the thread that adds documents to the index writer does less.
   *
   * @param source the exchange's wire form, stored as is
   * @param seq the ingest sequence number
   */
  static Document document(Exchange e, byte[] source, long seq) {
    return document(e, source, seq, Endpoints.defaults());
  }

  /** As above, with the template from {@code endpoints} (the recorder's configured chain). */
  static Document document(Exchange e, byte[] source, long seq, Endpoints endpoints) {
    Document d = new Document();
    keyword(d, Fields.ID, e.id(), UNIQUE_KEYWORD_TYPE);
    keyword(d, Fields.SERVICE, e.service(), KEYWORD_TYPE);
    if (e.routingKey() != null) {
      keyword(d, Fields.ROUTING_KEY, e.routingKey(), KEYWORD_TYPE);
    }
    keyword(d, Fields.TARGET, e.target(), KEYWORD_TYPE);
    keyword(d, Fields.ORIGIN, Origin.of(e.request()).wireName(), KEYWORD_TYPE);
    keyword(d, Fields.METHOD, e.request().method().toUpperCase(Locale.ROOT), KEYWORD_TYPE);
    keyword(d, Fields.PATH, e.request().path(), UNIQUE_KEYWORD_TYPE);
    List<Resolution> endpoint = endpoints.resolveAll(e.service(), e.request());
    keyword(d, Fields.TEMPLATE, endpoint.get(0).key().path(), KEYWORD_TYPE);
    if (endpoint.get(0).key().hasOperation()) {
      operations(d, endpoint);
    }
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
    d.add(new AnalyzedField(Fields.HEADER, HEADER_TYPE, INDEX_ANALYZER, List.of(headers.toString())));
    d.add(new AnalyzedField(Fields.BODY, BODY_TYPE, INDEX_ANALYZER, bodyTexts(e)));
    d.add(new StoredField(Fields.SOURCE, source));
    return d;
  }

  /** A GraphQL request's operations: searchable names, types and root fields; the catalog's key. */
  private static void operations(Document d, List<Resolution> endpoint) {
    Set<String> seen = new HashSet<>();
    for (Resolution r : endpoint) {
      EndpointKey k = r.key();
      if (!k.hasOperation() || !seen.add(k.operation())) {
        continue;
      }
      d.add(new StringField(Fields.OPERATION, cut(java.util.Objects.requireNonNull(k.operationName())), Field.Store.NO));
      if (seen.add(Fields.OPERATION_TYPE + ':' + k.operationType())) {
        d.add(new StringField(Fields.OPERATION_TYPE, java.util.Objects.requireNonNull(k.operationType()), Field.Store.NO));
      }
      d.add(new SortedSetDocValuesField(Fields.ENDPOINT_OPERATION, new BytesRef(cut(k.operation()))));
      for (String f : r.fields()) {
        if (seen.add(Fields.FIELD + ':' + f)) {
          d.add(new StringField(Fields.FIELD, cut(f), Field.Store.NO));
        }
      }
    }
  }

  /** The texts the {@code body} field holds: request body, response body, error message. */
  static List<String> bodyTexts(Exchange e) {
    List<String> texts = new ArrayList<>(3);
    String request = text(e.request().body());
    if (request != null) {
      texts.add(request);
    }
    Response r = e.response();
    String response = r == null ? null : text(r.body());
    if (response != null) {
      texts.add(response);
    }
    if (e.error() != null && !e.error().message().isEmpty()) {
      texts.add(e.error().message());
    }
    return texts;
  }

  private static void keyword(Document d, String field, String value, FieldType type) {
    d.add(new Field(field, new BytesRef(cut(value)), type));
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
