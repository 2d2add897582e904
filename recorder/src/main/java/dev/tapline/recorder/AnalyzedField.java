package dev.tapline.recorder;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.BytesTermAttribute;
import org.apache.lucene.analysis.tokenattributes.TermToBytesRefAttribute;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.BytesRef;

/**
 * A full-text field analyzed when the document is built, on a decoder thread, rather than when
 * the index writer adds it. Ingest has one thread that adds documents to the writer and decoder
 * threads that build the next batch meanwhile (see {@link Ingestor}); tokenizing and converting
 * terms to UTF-8 were about a fifth of that one thread's work. The field keeps its terms as UTF-8
 * bytes and hands them to the writer as they are.
 *
 * <p>Only for fields indexed without positions or offsets: the terms are replayed in order, each
 * one position after the last.
 */
final class AnalyzedField extends Field {
  private final byte[] bytes;
  private final int[] ends;
  private final int count;

  /** Runs {@code analyzer} over {@code texts} now. */
  AnalyzedField(String name, FieldType type, Analyzer analyzer, Iterable<String> texts) {
    super(name, type);
    byte[] b = new byte[256];
    int[] e = new int[32];
    int n = 0;
    int length = 0;
    for (String text : texts) {
      try (TokenStream ts = analyzer.tokenStream(name, text)) {
        TermToBytesRefAttribute term = ts.addAttribute(TermToBytesRefAttribute.class);
        ts.reset();
        while (ts.incrementToken()) {
          BytesRef t = term.getBytesRef();
          b = ArrayUtil.grow(b, length + t.length);
          System.arraycopy(t.bytes, t.offset, b, length, t.length);
          length += t.length;
          e = ArrayUtil.grow(e, n + 1);
          e[n++] = length;
        }
        ts.end();
      } catch (IOException ex) {
        throw new UncheckedIOException(ex); // a String reader does not fail
      }
    }
    this.bytes = b;
    this.ends = e;
    this.count = n;
  }

  /** The bytes of its terms. */
  int byteSize() {
    return count == 0 ? 0 : ends[count - 1];
  }

  @Override
  public TokenStream tokenStream(Analyzer analyzer, TokenStream reuse) {
    // The writer hands back the stream this field's previous value used: one per field in each of
    // its in-memory segments.
    Replay r = reuse instanceof Replay previous ? previous : new Replay();
    r.field = this;
    return r;
  }

  private static final class Replay extends TokenStream {
    private final BytesTermAttribute term = addAttribute(BytesTermAttribute.class);
    private final BytesRef ref = new BytesRef();
    AnalyzedField field;
    private int next;

    @Override
    public void reset() {
      // end() of the last use set the position increment to 0; this sets it back to 1.
      clearAttributes();
      next = 0;
    }

    @Override
    public void close() {
      field = null; // the document's terms are not kept past its indexing
    }

    @Override
    public boolean incrementToken() {
      if (next == field.count) {
        return false;
      }
      ref.bytes = field.bytes;
      ref.offset = next == 0 ? 0 : field.ends[next - 1];
      ref.length = field.ends[next] - ref.offset;
      term.setBytesRef(ref);
      next++;
      return true;
    }
  }
}
