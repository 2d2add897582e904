package dev.tapline.recorder;

import static dev.tapline.recorder.Fixtures.exchange;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.api.ExchangeSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValuesType;
import org.apache.lucene.index.FieldInfos;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index written by an older schema (bodies with positions, sorted doc values for ids and paths)
 * is rewritten from its stored exchanges when opened: same exchanges, same commit data (the Kafka
 * offsets), the new schema.
 */
class SchemaRewriteTest {
  @TempDir Path dir;

  @Test
  void theIndexDirectoryIsReadableByItsOwnerOnly() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path indexDir = dir.resolve("private-index");
    ExchangeIndex.open(indexDir, false, Duration.ofSeconds(1), new SimpleMeterRegistry()).close();
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(java.nio.file.Files.getPosixFilePermissions(indexDir)))
        .isEqualTo("rwx------");
  }

  @Test
  void anOlderIndexIsRewrittenFromItsStoredExchangesKeepingItsOffsets() throws Exception {
    Path indexDir = dir.resolve("index");
    List<Exchange> exchanges = new ArrayList<>();
    long t0 = dev.tapline.core.Ids.nowMicros() - 60_000_000L;
    for (int i = 0; i < 500; i++) {
      exchanges.add(exchange("orders", i % 2 == 0 ? "ann" : null, "GET", "/orders/" + i, 200, "",
          i % 10 == 0 ? "{\"error\":\"out of stock\"}" : "{\"id\":" + i + "}", t0 + i));
    }
    Map<String, String> commit = Map.of("schema", "2", "seq", "600", "offset:tapline.exchanges:0", "612");
    writeOldSchema(indexDir, exchanges, commit, true, true);

    ExchangeIndex index = ExchangeIndex.open(indexDir, false, Duration.ofSeconds(1), new SimpleMeterRegistry());
    try {
      Map<String, String> expected = new HashMap<>(commit);
      expected.put(IndexSchema.VERSION_KEY, IndexSchema.VERSION);
      assertThat(index.lastCommitData()).isEqualTo(expected);
      assertThat(index.size()).isEqualTo(500);
      assertThat(index.count("routingKey:ann")).isEqualTo(250);
      assertThat(index.count("body:\"out of stock\"")).isEqualTo(50);
      assertThat(index.search("path:\"/orders/7\"", 10, null).items()).extracting(ExchangeSummary::id)
          .containsExactly(exchanges.get(7).id());
      assertThat(index.source(exchanges.get(7).id())).hasValue(ExchangeCodec.encode(exchanges.get(7)));
      // Sequence numbers are kept: a live stream resumes where it was.
      assertThat(index.seqOf(exchanges.get(7).id())).isEqualTo(107);
    } finally {
      index.close();
    }

    try (Directory d = FSDirectory.open(indexDir); DirectoryReader r = DirectoryReader.open(d)) {
      assertThat(FieldInfos.getMergedFieldInfos(r).fieldInfo(Fields.BODY).getIndexOptions()).isEqualTo(IndexOptions.DOCS);
      assertThat(FieldInfos.getMergedFieldInfos(r).fieldInfo(Fields.ID).getDocValuesType()).isEqualTo(DocValuesType.BINARY);
      assertThat(r.getIndexCommit().getUserData()).containsEntry(IndexSchema.VERSION_KEY, IndexSchema.VERSION);
      assertThat(r.numDocs()).isEqualTo(500);
      long generation = SegmentInfos.getLastCommitGeneration(d);
      ExchangeIndex.open(indexDir, false, Duration.ofSeconds(1), new SimpleMeterRegistry()).close();
      assertThat(SegmentInfos.getLastCommitGeneration(d)).as("a current index is not rewritten again").isEqualTo(generation);
    }
  }

  @Test
  void fieldsWrittenTheOldWayAreRewrittenWhateverTheCommitSays() throws Exception {
    // Lucene refuses documents whose body has other index options, or whose id or path has another
    // doc-values type, than the segments already there: the fields decide, not only the commit data.
    for (boolean positions : new boolean[] {true, false}) {
      Path indexDir = dir.resolve("index-" + positions);
      List<Exchange> exchanges = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        exchanges.add(exchange("orders", null, "GET", "/orders/" + i, 200, "", "{\"id\":" + i + "}",
            dev.tapline.core.Ids.nowMicros() - 1000 + i));
      }
      writeOldSchema(indexDir, exchanges, Map.of(IndexSchema.VERSION_KEY, IndexSchema.VERSION, "seq", "120"),
          positions, !positions);
      ExchangeIndex index = ExchangeIndex.open(indexDir, false, Duration.ofSeconds(1), new SimpleMeterRegistry());
      try {
        Exchange more = exchange("orders", null, "GET", "/orders/99", 200, "", "{\"note\":\"one more\"}",
            dev.tapline.core.Ids.nowMicros());
        index.put(more.id(), IndexSchema.document(more, ExchangeCodec.encode(more), 120));
        index.refresh();
        assertThat(index.count("body:\"one more\"")).isEqualTo(1);
        assertThat(index.size()).isEqualTo(21);
      } finally {
        index.close();
      }
    }
  }

  @Test
  void aStoredExchangeThatNoLongerDecodesIsLeftOutAndTheRestRewritten() throws Exception {
    Path indexDir = dir.resolve("index");
    List<Exchange> exchanges = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      exchanges.add(exchange("orders", null, "GET", "/orders/" + i, 200, "", "{}", dev.tapline.core.Ids.nowMicros() - 100 + i));
    }
    writeOldSchema(indexDir, exchanges, Map.of("schema", "3"), false, true);
    try (Directory d = FSDirectory.open(indexDir);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig().setCodec(new TaplineCodec()))) {
      Exchange odd = exchange("orders", null, "GET", "/orders/odd", 200, "", "{}", dev.tapline.core.Ids.nowMicros());
      Document doc = IndexSchema.document(odd, "{\"v\":1,\"id\":\"no request\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8), 5);
      doc.removeFields(Fields.ID);
      doc.removeFields(Fields.PATH);
      FieldType sorted = new FieldType(StringField.TYPE_NOT_STORED);
      sorted.setDocValuesType(DocValuesType.SORTED);
      doc.add(new Field(Fields.ID, new BytesRef(odd.id()), sorted));
      doc.add(new Field(Fields.PATH, new BytesRef(odd.request().path()), sorted));
      w.addDocument(doc);
      w.setLiveCommitData(Map.of("schema", "3").entrySet());
      w.commit();
    }
    ExchangeIndex index = ExchangeIndex.open(indexDir, false, Duration.ofSeconds(1), new SimpleMeterRegistry());
    try {
      assertThat(index.size()).isEqualTo(10);
      assertThat(index.lastCommitData()).containsEntry(IndexSchema.VERSION_KEY, IndexSchema.VERSION);
    } finally {
      index.close();
    }
  }

  /**
   * The index as Tapline wrote it before: bodies with positions (index schema 2 and before), ids
   * and paths with sorted doc values (schema 3 and before).
   */
  private static void writeOldSchema(Path indexDir, List<Exchange> exchanges, Map<String, String> commit,
      boolean bodyPositions, boolean sortedIds) throws Exception {
    FieldType positions = new FieldType(TextField.TYPE_NOT_STORED);
    positions.setOmitNorms(true);
    positions.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
    FieldType sorted = new FieldType(StringField.TYPE_NOT_STORED);
    sorted.setDocValuesType(DocValuesType.SORTED);
    try (Directory d = FSDirectory.open(indexDir);
        IndexWriter w = new IndexWriter(d, new IndexWriterConfig(IndexSchema.analyzer(TermTokenizer.Mode.ALL))
            .setCodec(new TaplineCodec()).setMaxBufferedDocs(120))) {
      long seq = 100;
      for (Exchange e : exchanges) {
        Document doc = IndexSchema.document(e, ExchangeCodec.encode(e), seq++);
        if (bodyPositions) {
          doc.removeFields(Fields.BODY);
          for (String text : IndexSchema.bodyTexts(e)) {
            doc.add(new Field(Fields.BODY, text, positions));
          }
        }
        if (sortedIds) {
          doc.removeFields(Fields.ID);
          doc.removeFields(Fields.PATH);
          doc.add(new Field(Fields.ID, new BytesRef(e.id()), sorted));
          doc.add(new Field(Fields.PATH, new BytesRef(e.request().path()), sorted));
        }
        w.updateDocument(new Term(Fields.ID, e.id()), doc);
      }
      w.setLiveCommitData(commit.entrySet());
      w.commit();
    }
  }
}
