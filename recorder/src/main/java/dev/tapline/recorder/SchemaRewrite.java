package dev.tapline.recorder;

import dev.tapline.core.Exchange;
import dev.tapline.core.ExchangeCodec;
import dev.tapline.core.endpoint.Endpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.Bits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds an index written by another version of {@link IndexSchema} and rewrites it to this one. */
final class SchemaRewrite {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaRewrite.class);

  private SchemaRewrite() {}

  /**
   * Whether the last commit in {@code directory} was written with another schema: its recorded
   * version differs (and it holds exchanges), or any segment holds a field the way another version
   * wrote it, which Lucene would refuse to add new documents to.
   */
  static boolean writtenByAnotherSchema(Directory directory) throws IOException {
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
   *
   * @param config the configuration of the writer that writes the new index (open mode CREATE)
   */
  static void rewrite(Directory directory, Path dir, IndexWriterConfig config, Endpoints endpoints) throws IOException {
    long start = System.nanoTime();
    try (DirectoryReader old = DirectoryReader.open(directory);
        IndexWriter writer = new IndexWriter(directory, config)) {
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
          byte[] source = ExchangeIndex.source(stored, doc);
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
          writer.addDocument(IndexSchema.document(e, source, n, endpoints));
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
}
