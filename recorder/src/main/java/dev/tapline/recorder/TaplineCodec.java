package dev.tapline.recorder;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.StoredFieldsFormat;
import org.apache.lucene.codecs.compressing.CompressionMode;
import org.apache.lucene.codecs.compressing.Compressor;
import org.apache.lucene.codecs.compressing.Decompressor;
import org.apache.lucene.codecs.lucene104.Lucene104Codec;
import org.apache.lucene.codecs.lucene90.compressing.Lucene90CompressingStoredFieldsFormat;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.DataInput;
import org.apache.lucene.store.DataOutput;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.util.ArrayUtil;
import org.apache.lucene.util.BytesRef;
import org.jspecify.annotations.Nullable;

/**
 * Lucene's default codec with the stored exchanges compressed by zstd instead of DEFLATE.
 *
 * <p>Every exchange is stored whole (it is what {@code /api/exchanges/{id}} and export return), so
 * the stored fields are most of what the recorder writes. Lucene's {@code BEST_COMPRESSION} mode
 * deflates them; on JSON traffic that cost about a fifth of the ingest CPU, paid again whenever
 * a merge recompresses small near-real-time segments. zstd at level {@value #LEVEL} compresses
 * the same chunks to about the same size several times faster, and decompresses faster too. The
 * chunk layout, index and merging are Lucene's own ({@link Lucene90CompressingStoredFieldsFormat});
 * only the compression of a chunk differs. zstd comes from zstd-jni, which Kafka's client already
 * uses for zstd-compressed batches.
 *
 * <p>Registered under the name {@value #NAME} (a codec's name is written into every segment and
 * looked up through {@code META-INF/services} when the index is opened again). Segments written by
 * Lucene's own codec stay readable and are rewritten with this one as they are merged.
 */
public final class TaplineCodec extends FilterCodec {
  static final String NAME = "TaplineZstd104";
  static final int LEVEL = 1;
  // A chunk is compressed as one zstd frame; reading one exchange decompresses its chunk.
  private static final int CHUNK_BYTES = 256 * 1024;
  private static final int MAX_DOCS_PER_CHUNK = 2048;
  private static final int BLOCK_SHIFT = 10;

  private final StoredFieldsFormat storedFields = new Lucene90CompressingStoredFieldsFormat(
      "TaplineZstdStoredFields", new ZstdMode(), CHUNK_BYTES, MAX_DOCS_PER_CHUNK, BLOCK_SHIFT);

  /** Public and without arguments: Lucene instantiates codecs by name through the service loader. */
  public TaplineCodec() {
    super(NAME, new Lucene104Codec());
  }

  @Override
  public StoredFieldsFormat storedFieldsFormat() {
    return storedFields;
  }

  private static final class ZstdMode extends CompressionMode {
    @Override
    public Compressor newCompressor() {
      return new ZstdCompressor();
    }

    @Override
    public Decompressor newDecompressor() {
      return new ZstdDecompressor();
    }

    @Override
    public String toString() {
      return "zstd(level=" + LEVEL + ")";
    }
  }

  /** A chunk is written as its compressed length, then one zstd frame. */
  private static final class ZstdCompressor extends Compressor {
    private final ZstdCompressCtx ctx = new ZstdCompressCtx().setLevel(LEVEL);
    private byte[] in = new byte[0];
    private byte[] out = new byte[0];

    @Override
    public void compress(ByteBuffersDataInput buffers, DataOutput output) throws IOException {
      int len = Math.toIntExact(buffers.length());
      in = ArrayUtil.growNoCopy(in, len);
      buffers.readBytes(in, 0, len);
      out = ArrayUtil.growNoCopy(out, Math.toIntExact(Zstd.compressBound(len)));
      int compressed = ctx.compressByteArray(out, 0, out.length, in, 0, len);
      output.writeVInt(compressed);
      output.writeBytes(out, 0, compressed);
    }

    @Override
    public void close() {
      ctx.close();
    }
  }

  /**
   * Decompresses whole chunks, and keeps the last one: Lucene's reader asks for one document at a
   * time and decompresses the chunk that holds it on every call, so reading the exchanges of a
   * chunk one after another (an export, a phrase confirmed against the stored bodies, an index
   * rewritten at start) would decompress the same 256 KiB up to 2,048 times. A reader is used by
   * one thread and reads one immutable segment file, so the chunk's file pointer names its content.
   */
  private static final class ZstdDecompressor extends Decompressor {
    private byte[] compressed = new byte[0];
    private byte @Nullable [] chunk;
    private long chunkPointer = -1;

    @Override
    public void decompress(DataInput in, int originalLength, int offset, int length, BytesRef bytes)
        throws IOException {
      long pointer = in instanceof IndexInput file ? file.getFilePointer() : -1;
      int len = in.readVInt();
      if (pointer >= 0 && pointer == chunkPointer && chunk != null && chunk.length == originalLength) {
        // Leave the stream where decompressing would: the reader goes on reading slices from it.
        in.skipBytes(len);
        bytes.bytes = chunk;
        bytes.offset = offset;
        bytes.length = length;
        return;
      }
      compressed = ArrayUtil.growNoCopy(compressed, len);
      in.readBytes(compressed, 0, len);
      if (length == 0) {
        bytes.length = 0;
        return;
      }
      // A new array per chunk: a document read earlier may still point into the previous one.
      byte[] plain = new byte[originalLength];
      long n = Zstd.decompressByteArray(plain, 0, originalLength, compressed, 0, len);
      if (Zstd.isError(n) || n != originalLength) {
        throw new CorruptIndexException("stored fields chunk does not decompress: "
            + (Zstd.isError(n) ? Zstd.getErrorName(n) : n + " bytes instead of " + originalLength), in);
      }
      chunk = plain;
      chunkPointer = pointer;
      bytes.bytes = plain;
      bytes.offset = offset;
      bytes.length = length;
    }

    @Override
    public Decompressor clone() {
      return new ZstdDecompressor();
    }
  }
}
