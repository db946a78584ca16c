package org.medvlm.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.medvlm.testing.Shared;

/** JPEG baseline frames the test encodes itself (lossy, so values within a few levels), and the real YBR file. */
class JpegBaselineTest {

    static byte[] jpeg(BufferedImage image) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(1.0f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    @Test
    void greyFramesDecodeCloseToWhatWasEncoded() throws Exception {
        BufferedImage[] frames = new BufferedImage[2];
        for (int f = 0; f < 2; f++) {
            frames[f] = new BufferedImage(16, 8, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 16; x++) {
                    frames[f].getRaster().setSample(x, y, 0, f == 0 ? 8 * x + 3 * y : 200 - 4 * x);
                }
            }
        }
        byte[] file = DicomFixture.encapsulated("1.2.840.10008.1.2.4.50").image(8, 16, 2, 1, 8, 8, false, "MONOCHROME2")
                .encapsulatedPixels(List.of(jpeg(frames[0]), jpeg(frames[1]))).bytes();
        DicomImage image = DicomImage.read("grey-jpeg.dcm", file);
        for (int f = 0; f < 2; f++) {
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 16; x++) {
                    assertEquals(frames[f].getRaster().getSample(x, y, 0), image.pixels().stored(f, y, x, 0), 3,
                            "frame " + f + " at " + y + "," + x);
                }
            }
        }
    }

    @Test
    void ybrFileRendersItsColourBands() throws Exception {
        // the file's ImageComments: 10-row bands of (255,0,0), (255,128,128), (0,255,0), ... (255,255,255); after lossy
        // coding they are what pydicom 2.3.1 gives at column 50, row 10 band + 5, with
        // convert_color_space(ds.pixel_array, "YBR_FULL", "RGB"); allowed +-2 for the other IDCT
        int[][] bands = {{254, 0, 0}, {255, 127, 127}, {0, 255, 5}, {129, 255, 129}, {0, 0, 254}, {128, 127, 255},
            {0, 0, 0}, {64, 64, 64}, {192, 192, 192}, {255, 255, 255}};
        DicomImage image = DicomImage.read(Shared.path("external/dicom/SC_rgb_jpeg_dcmtk.dcm"));
        BufferedImage rgb = image.render(0);
        for (int band = 0; band < 10; band++) {
            int argb = rgb.getRGB(50, band * 10 + 5);
            int[] got = {argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF};
            for (int c = 0; c < 3; c++) {
                assertTrue(Math.abs(got[c] - bands[band][c]) <= 2, "band " + band + ": " + java.util.Arrays.toString(got));
            }
        }
    }
}
