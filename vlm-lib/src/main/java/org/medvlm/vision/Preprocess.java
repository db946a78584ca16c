package org.medvlm.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import org.medvlm.imaging.ImagePreprocessor;

/**
 * The preprocessing settings that travel with a vision tower's weights, as timm's pretrained config
 * ({@code input_size}, {@code interpolation}, {@code mean}, {@code std}): BiomedCLIP resizes the short
 * side to 224 with bicubic interpolation, centre-crops 224×224, scales to [0, 1] and normalises with the
 * OpenAI CLIP mean/std. The pixels themselves are computed by {@link ImagePreprocessor} (Pillow's
 * antialiased bicubic to the bit, torchvision's crop, torch's float32 normalisation); this record only
 * turns its {@code float[]} into the model's input tensor.
 *
 * @param size output height and width (224)
 * @param mean per-channel mean on the [0, 1] scale
 * @param std per-channel standard deviation on the [0, 1] scale
 * @param interpolation the resize filter's timm name; only {@code bicubic} (BiomedCLIP's) is implemented
 */
public record Preprocess(int size, float[] mean, float[] std, String interpolation) {

    public Preprocess {
        if (size <= 0 || mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("size must be positive and mean/std have 3 channels");
        }
        if (!"bicubic".equals(interpolation.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("interpolation '" + interpolation + "' is not supported (bicubic)");
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Bicubic preprocessing at {@code size} with the given normalisation. */
    public Preprocess(int size, float[] mean, float[] std) {
        this(size, mean, std, "bicubic");
    }

    /** BiomedCLIP's: 224, bicubic, OpenAI CLIP mean (0.48145466, 0.4578275, 0.40821073) and std. */
    public static Preprocess biomedClip() {
        return new Preprocess(224, ImagePreprocessor.CLIP_MEAN, ImagePreprocessor.CLIP_STD);
    }

    /** The preprocessor these settings describe. */
    public ImagePreprocessor preprocessor() {
        return ImagePreprocessor.of(size, mean, std);
    }

    /** One image as a [1, 3, size, size] float32 tensor on {@code manager}'s device. */
    public NDArray apply(BufferedImage image, NDManager manager) {
        return manager.create(pixels(image), new Shape(1, 3, size, size));
    }

    /** Several images as one [B, 3, size, size] batch. */
    public NDArray apply(List<BufferedImage> images, NDManager manager) {
        ImagePreprocessor p = preprocessor();
        float[] all = new float[images.size() * p.length()];
        for (int i = 0; i < images.size(); i++) {
            p.applyInto(images.get(i), all, i * p.length());
        }
        return manager.create(all, new Shape(images.size(), 3, size, size));
    }

    /** The normalised pixels in CHW order, 3 × size × size. */
    public float[] pixels(BufferedImage image) {
        return preprocessor().apply(image);
    }
}
