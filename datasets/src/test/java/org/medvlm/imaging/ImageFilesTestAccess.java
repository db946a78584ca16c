package org.medvlm.imaging;

/** The hostile images of {@link ImageFilesTest} for other packages' tests. */
public final class ImageFilesTestAccess {
    private ImageFilesTestAccess() {}

    /** A PNG of a few dozen bytes whose header declares {@code w x h} pixels. */
    public static byte[] pngDeclaring(int w, int h) {
        return ImageFilesTest.pngHeaderOnly(w, h);
    }

    /** A small JPEG whose frame header declares {@code w x h} pixels. */
    public static byte[] jpegDeclaring(int w, int h) throws java.io.IOException {
        return ImageFilesTest.jpegDeclaring(w, h);
    }

    /** A small noisy image encoded as {@code format} (jpg, png, gif, bmp). */
    public static byte[] encoded(String format) throws java.io.IOException {
        return ImageFilesTest.encode(ImageFilesTest.noise(48, 32), format);
    }
}
