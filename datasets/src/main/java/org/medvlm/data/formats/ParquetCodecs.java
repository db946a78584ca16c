package org.medvlm.data.formats;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.medvlm.io.Limit;
import org.xerial.snappy.Snappy;

/**
 * Page compression for parquet through plain libraries: snappy-java, zstd-jni (both dependencies of
 * parquet-hadoop already) and the JDK's gzip. parquet-java's own {@code CodecFactory} goes through
 * Hadoop's codec classes, which look for Hadoop's native libraries and configuration; these do not.
 * (parquet-java still instantiates its default factory while building read options, which is why the
 * shaded {@code hadoop-client-api} jar is on the runtime classpath; it is never used to decompress.)
 */
public final class ParquetCodecs implements CompressionCodecFactory {
    /** A page that claims more than this is taken as corrupt instead of allocating it: an embedded image's budget. */
    private static long maxPageBytes() {
        return Math.min(Integer.MAX_VALUE - 16L, Limit.IMAGE_BYTES.value() + (1 << 20));
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return new BytesInputCompressor() {
            @Override
            public BytesInput compress(BytesInput bytes) throws IOException {
                byte[] in = bytes(bytes);
                return BytesInput.from(switch (codec) {
                    case UNCOMPRESSED -> in;
                    case SNAPPY -> Snappy.compress(in);
                    case ZSTD -> Zstd.compress(in);
                    case GZIP -> gzip(in);
                    default -> throw new IOException("parquet codec " + codec + " is not supported for writing");
                });
            }

            @Override
            public CompressionCodecName getCodecName() {
                return codec;
            }

            @Override
            public void release() {}
        };
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return new BytesInputDecompressor() {
            @Override
            public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
                return BytesInput.from(inflate(codec, bytes(bytes), uncompressedSize));
            }

            @Override
            public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                    throws IOException {
                byte[] in = new byte[compressedSize];
                input.get(in);
                output.put(inflate(codec, in, uncompressedSize));
            }

            @Override
            public void release() {}
        };
    }

    @Override
    public void release() {}

    private static byte[] inflate(CompressionCodecName codec, byte[] in, int size) throws IOException {
        if (size < 0 || size > maxPageBytes()) {
            throw new IOException("corrupt parquet page: it claims " + size + " uncompressed bytes");
        }
        if (codec == CompressionCodecName.SNAPPY && Snappy.uncompressedLength(in) != size) {
            // snappy allocates what its own header claims: check it against the page's before
            throw new IOException("corrupt parquet page: snappy claims " + Snappy.uncompressedLength(in) + " bytes, the page " + size);
        }
        byte[] out = switch (codec) {
            case UNCOMPRESSED -> in;
            case SNAPPY -> Snappy.uncompress(in);
            case ZSTD -> Zstd.decompress(in, size);
            case GZIP -> readAll(new GZIPInputStream(new ByteArrayInputStream(in)), size);
            default -> throw new IOException("parquet codec " + codec + " is not supported (snappy, zstd, gzip and none are)");
        };
        if (out.length != size) {
            throw new IOException("corrupt parquet page: " + out.length + " bytes after " + codec + ", " + size + " expected");
        }
        return out;
    }

    /** The bytes of a page (BytesInput.toByteArray is deprecated in favour of buffer-managed copies). */
    private static byte[] bytes(BytesInput b) throws IOException {
        long size = b.size();
        if (size < 0 || size > maxPageBytes()) {
            throw new IOException("corrupt parquet page: " + size + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) size);
        b.writeAllTo(out);
        return out.toByteArray();
    }

    private static byte[] readAll(InputStream in, int size) throws IOException {
        try (in) {
            return in.readNBytes(size + 1);
        }
    }

    private static byte[] gzip(byte[] in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(in);
        }
        return out.toByteArray();
    }
}
