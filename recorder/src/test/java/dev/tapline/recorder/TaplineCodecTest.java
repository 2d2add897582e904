package dev.tapline.recorder;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stored exchanges survive zstd chunks on disk byte for byte, and older indexes stay readable. */
class TaplineCodecTest {
  @TempDir Path dir;

  @Test
  void storedBytesRoundTripThroughZstdChunksOnDisk() throws Exception {
    List<byte[]> values = values();
    try (Directory d = FSDirectory.open(dir)) {
      write(d, new TaplineCodec(), values, 0);
      try (IndexWriter w = new IndexWriter(d, new IndexWriterConfig().setCodec(new TaplineCodec()))) {
        w.forceMerge(1); // the merge path reads every chunk back and writes it again
      }
      // Opened by name through the service loader, as a restarted recorder does.
      assertThat(Codec.forName(TaplineCodec.NAME)).isInstanceOf(TaplineCodec.class);
      assertThat(codecs(d)).containsOnly(TaplineCodec.NAME);
      assertStored(d, values);
    }
  }

  @Test
  void anIndexWrittenWithLucenesOwnCodecIsReadAndMergedIntoTheNewOne() throws Exception {
    List<byte[]> values = values();
    try (Directory d = FSDirectory.open(dir)) {
      write(d, new Lucene104Codec(Lucene104Codec.Mode.BEST_COMPRESSION), values.subList(0, 100), 0);
      write(d, new TaplineCodec(), values.subList(100, values.size()), 100);
      assertThat(codecs(d)).contains("Lucene104", TaplineCodec.NAME);
      assertStored(d, values);
      try (IndexWriter w = new IndexWriter(d, new IndexWriterConfig().setCodec(new TaplineCodec()))) {
        w.forceMerge(1);
      }
      assertThat(codecs(d)).containsOnly(TaplineCodec.NAME);
      assertStored(d, values);
    }
  }

  /** Small JSON-like documents, empty ones, and some larger than two chunks (stored in slices). */
  private static List<byte[]> values() {
    SplittableRandom rnd = new SplittableRandom(7);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      int size = i % 97 == 0 ? 0 : i % 701 == 0 ? 600_000 + rnd.nextInt(100_000) : 200 + rnd.nextInt(4000);
      byte[] b = new byte[size];
      for (int j = 0; j < size; j++) {
        // Mostly text, some random bytes: compressible and incompressible stretches.
        b[j] = j % 50 < 40 ? (byte) ("{\"order\":\"widget\",\"qty\":" .charAt(j % 24)) : (byte) rnd.nextInt(256);
      }
      out.add(b);
    }
    return out;
  }

  private static void write(Directory d, Codec codec, List<byte[]> values, int firstId) throws Exception {
    try (IndexWriter w = new IndexWriter(d, new IndexWriterConfig().setCodec(codec).setMaxBufferedDocs(700))) {
      for (int i = 0; i < values.size(); i++) {
        Document doc = new Document();
        doc.add(new StringField("id", String.valueOf(firstId + i), Field.Store.YES));
        doc.add(new StoredField("source", values.get(i)));
        w.addDocument(doc);
      }
      w.commit();
    }
  }

  private static void assertStored(Directory d, List<byte[]> values) throws Exception {
    try (DirectoryReader r = DirectoryReader.open(d)) {
      assertThat(r.numDocs()).isEqualTo(values.size());
      for (LeafReaderContext leaf : r.leaves()) {
        StoredFields stored = leaf.reader().storedFields();
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
          Document got = stored.document(doc);
          int id = Integer.parseInt(got.get("id"));
          BytesRef source = got.getBinaryValue("source");
          assertThat(Arrays.copyOfRange(source.bytes, source.offset, source.offset + source.length))
              .as("source of %d", id).isEqualTo(values.get(id));
        }
        // The reader keeps the last chunk it decompressed: reads that jump between chunks, come
        // back, or repeat a document (sliced ones included) must still see the right bytes.
        SplittableRandom rnd = new SplittableRandom(leaf.ord);
        StoredFields jumping = leaf.reader().storedFields();
        for (int i = 0; i < 3 * leaf.reader().maxDoc(); i++) {
          int doc = i % 3 == 2 ? Math.max(0, i / 3 - 1) : rnd.nextInt(leaf.reader().maxDoc());
          Document got = jumping.document(doc);
          BytesRef source = got.getBinaryValue("source");
          assertThat(Arrays.copyOfRange(source.bytes, source.offset, source.offset + source.length))
              .as("source of %s, read out of order", got.get("id")).isEqualTo(values.get(Integer.parseInt(got.get("id"))));
        }
      }
    }
  }

  private static List<String> codecs(Directory d) throws Exception {
    List<String> names = new ArrayList<>();
    for (SegmentCommitInfo s : SegmentInfos.readLatestCommit(d)) {
      names.add(s.info.getCodec().getName());
    }
    return names;
  }
}
