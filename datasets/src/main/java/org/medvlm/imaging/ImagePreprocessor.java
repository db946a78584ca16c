package org.medvlm.imaging;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The vision encoder's input from an image file: decode, resize the short side to {@code size} with
 * Pillow's bicubic, centre-crop {@code size x size}, scale to 0..1 and normalise with the mean and
 * standard deviation, giving a {@code float[3 * size * size]} in CHW order (the model's {@code [3, 224,
 * 224]}). This is open_clip's evaluation transform ({@code Resize(224, BICUBIC)}, {@code CenterCrop(224)},
 * RGB, {@code ToTensor}, {@code Normalize}), which BiomedCLIP uses, reproduced to the bit on the
 * resized pixels ({@link PilBicubic}) and in float32 arithmetic for the normalisation.
 * <pre>{@code
 * ImagePreprocessor pre = ImagePreprocessor.clip(224);
 * float[] chw = pre.apply(Path.of("synpic100228.jpg"));          // 150 528 floats
 * float[] batch = pre.applyAll(paths, 2);                       // [N, 3, 224, 224], both cores
 * }</pre>
 * Grey images, and colour images whose three channels are equal (most radiographs saved as RGB JPEG),
 * are resampled once and copied to the three channels: the same result at a third of the cost.
 */
public final class ImagePreprocessor {
    /** OpenAI CLIP's normalisation, which BiomedCLIP keeps. */
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final int size;
    private final float[] mean;
    private final float[] std;
    private final float[][] lut; // [channel][byte] -> normalised value, computed as torch does in float32

    private ImagePreprocessor(int size, float[] mean, float[] std) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be positive, got " + size);
        }
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("mean and std need 3 values each (R, G, B)");
        }
        this.size = size;
        this.mean = mean.clone();
        this.std = std.clone();
        this.lut = new float[3][256];
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                float x = (float) v / 255f; // ToTensor: byte -> float32 / 255
                lut[c][v] = (x - this.mean[c]) / this.std[c]; // Normalize: sub_ then div_, float32
            }
        }
    }

    /** CLIP/BiomedCLIP preprocessing at {@code size} pixels. */
    public static ImagePreprocessor clip(int size) {
        return new ImagePreprocessor(size, CLIP_MEAN, CLIP_STD);
    }

    /** Preprocessing with another normalisation. */
    public static ImagePreprocessor of(int size, float[] mean, float[] std) {
        return new ImagePreprocessor(size, mean, std);
    }

    public int size() {
        return size;
    }

    /** Floats per image: {@code 3 * size * size}. */
    public int length() {
        return 3 * size * size;
    }

    /** Decodes and preprocesses an image file. */
    public float[] apply(Path file) throws IOException {
        float[] out = new float[length()];
        applyInto(decode(file), out, 0);
        return out;
    }

    /** Decodes and preprocesses encoded image bytes (a parquet export's embedded JPEG). */
    public float[] apply(byte[] encoded, String name) throws IOException {
        float[] out = new float[length()];
        applyInto(ImageFiles.read(encoded, name), out, 0);
        return out;
    }

    /** Preprocesses a decoded image. */
    public float[] apply(BufferedImage image) {
        float[] out = new float[length()];
        applyInto(image, out, 0);
        return out;
    }

    /**
     * Decodes and preprocesses files on {@code threads} threads into one {@code [N, 3, size, size]}
     * array. A file that cannot be read fails the whole batch with its name in the message.
     */
    public float[] applyAll(List<Path> files, int threads) throws IOException {
        float[] out = new float[files.size() * length()];
        int t = Math.max(1, Math.min(threads, files.size()));
        if (t == 1) {
            for (int i = 0; i < files.size(); i++) {
                applyInto(decode(files.get(i)), out, i * length());
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(t, r -> {
            Thread th = new Thread(r, "medvlm-preprocess");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<?>> jobs = new ArrayList<>();
            // each worker takes every t-th image: no shared state but the output array's disjoint slices
            for (int w = 0; w < t; w++) {
                int first = w;
                jobs.add(pool.submit(() -> {
                    for (int i = first; i < files.size(); i += t) {
                        applyInto(decode(files.get(i)), out, i * length());
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while preprocessing images", e);
        } finally {
            pool.shutdownNow();
        }
        return out;
    }

    /** Writes one image's {@code 3 * size * size} floats at {@code offset}. */
    public void applyInto(BufferedImage image, float[] out, int offset) {
        normalizeInto(resizedRgb(image), out, offset);
    }

    /**
     * Scales and normalises {@link #resizedRgb} pixels into {@code 3 * size * size} floats at {@code offset}: the
     * second half of {@link #applyInto}, for callers that keep the resized bytes (a quarter of the floats' memory).
     */
    public void normalizeInto(int[] rgb, float[] out, int offset) {
        int plane = size * size;
        float[] l0 = lut[0];
        float[] l1 = lut[1];
        float[] l2 = lut[2];
        for (int i = 0; i < plane; i++) {
            out[offset + i] = l0[rgb[3 * i]];
            out[offset + plane + i] = l1[rgb[3 * i + 1]];
            out[offset + 2 * plane + i] = l2[rgb[3 * i + 2]];
        }
    }

    /**
     * The resized and centre-cropped pixels before scaling and normalisation: {@code size * size} RGB
     * triples, 0..255, row by row; what Pillow's resize and torchvision's crop give.
     */
    public int[] resizedRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int outW;
        int outH;
        // torchvision Resize(int): the short side becomes size, the long one int(size * long / short)
        if (w <= h) {
            outW = size;
            outH = (int) ((double) size * h / w);
        } else {
            outH = size;
            outW = (int) ((double) size * w / h);
        }
        // torchvision CenterCrop: int(round((len - size) / 2.0)), Python's round (half to even)
        int left = (int) Math.rint((outW - size) / 2.0);
        int top = (int) Math.rint((outH - size) / 2.0);

        Pixels px = Pixels.of(image);
        int[] offsets = px.rgbOffsets();
        boolean grey = offsets.length == 1 || px.channelsEqual();
        int[] resampled = PilBicubic.resizeCrop(px.data(), w, h, px.stride(), px.channels(),
                grey ? new int[] {offsets[0]} : offsets, outW, outH, left, top, size, size);
        if (!grey) {
            return resampled;
        }
        int plane = size * size;
        int[] rgb = new int[3 * plane];
        for (int i = 0; i < plane; i++) {
            int v = resampled[i];
            rgb[3 * i] = v;
            rgb[3 * i + 1] = v;
            rgb[3 * i + 2] = v;
        }
        return rgb;
    }

    /** Decodes through {@link ImageFiles}: size limits, truncation and corruption refused naming the file. */
    BufferedImage decode(Path file) throws IOException {
        return ImageFiles.read(file);
    }

    /** An image's bytes as interleaved samples, converted only when the raster is not plain bytes. */
    private record Pixels(byte[] data, int stride, int channels, int[] rgbOffsets) {
        static Pixels of(BufferedImage img) {
            int type = img.getType();
            if ((type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_BYTE_GRAY)
                    && img.getRaster().getSampleModel() instanceof ComponentSampleModel sm
                    && img.getRaster().getDataBuffer() instanceof DataBufferByte db
                    && img.getRaster().getParent() == null && db.getNumBanks() == 1 && db.getOffset() == 0
                    && sm.getScanlineStride() == img.getWidth() * sm.getPixelStride()
                    && img.getRaster().getSampleModelTranslateX() == 0 && img.getRaster().getSampleModelTranslateY() == 0) {
                if (type == BufferedImage.TYPE_BYTE_GRAY) {
                    return new Pixels(db.getData(), sm.getScanlineStride(), 1, new int[] {0});
                }
                int[] bo = sm.getBandOffsets(); // R, G, B bands' byte offsets within a pixel
                return new Pixels(db.getData(), sm.getScanlineStride(), 3, new int[] {bo[0], bo[1], bo[2]});
            }
            int w = img.getWidth();
            int h = img.getHeight();
            if ((type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_ARGB)
                    && img.getRaster().getDataBuffer() instanceof DataBufferInt db && img.getRaster().getParent() == null
                    && db.getNumBanks() == 1 && db.getOffset() == 0 && db.getSize() == w * h) {
                // 0x(AA)RRGGBB words unpacked directly (alpha dropped, as convert("RGB")): getRGB would make a
                // colour-model call per pixel, which costs more than the resize on a large image
                int[] words = db.getData();
                byte[] data = new byte[w * h * 3];
                for (int i = 0, p = 0; i < words.length; i++, p += 3) {
                    int v = words[i];
                    data[p] = (byte) (v >> 16);
                    data[p + 1] = (byte) (v >> 8);
                    data[p + 2] = (byte) v;
                }
                return new Pixels(data, w * 3, 3, new int[] {0, 1, 2});
            }
            if (img.getRaster().getNumBands() == 1 && !(img.getColorModel() instanceof IndexColorModel)) {
                // any other grey raster (16-bit, a sub-image): its samples, top 8 bits; getRGB would pass them
                // through Java's linear-grey-to-sRGB conversion and change every value
                int shift = Math.max(0, img.getColorModel().getComponentSize(0) - 8);
                int[] samples = img.getRaster().getSamples(0, 0, w, h, 0, (int[]) null);
                byte[] data = new byte[w * h];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (samples[i] >>> shift);
                }
                return new Pixels(data, w, 1, new int[] {0});
            }
            // anything else (indexed, int-packed, alpha): through ARGB, as PIL's convert("RGB")
            byte[] data = new byte[w * h * 3];
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                img.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int p = (y * w + x) * 3;
                    data[p] = (byte) (row[x] >> 16);
                    data[p + 1] = (byte) (row[x] >> 8);
                    data[p + 2] = (byte) row[x];
                }
            }
            return new Pixels(data, w * 3, 3, new int[] {0, 1, 2});
        }

        boolean channelsEqual() {
            if (channels == 1) {
                return true;
            }
            int a = rgbOffsets[0];
            int b = rgbOffsets[1];
            int c = rgbOffsets[2];
            for (int p = 0; p + 2 < data.length; p += 3) {
                byte r = data[p + a];
                if (r != data[p + b] || r != data[p + c]) {
                    return false;
                }
            }
            return true;
        }
    }
}
