package org.medvlm.kernel.render;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.medvlm.imaging.Thumbnails;

class TextFormsTest {

    @Test
    void numbersHaveFourSignificantDigitsAndWholeNumbersEveryDigit() {
        assertEquals("0.3333", TextForms.number(1.0 / 3));
        assertEquals("0.6667", TextForms.number(2.0 / 3));
        assertEquals("41.32", TextForms.number(41.3245));
        assertEquals("0.5", TextForms.number(0.5));
        assertEquals("7069016064", TextForms.number(7_069_016_064.0));
        assertEquals("12346", TextForms.number(12_345.678));
        assertEquals("-0.001235", TextForms.number(-0.00123456));
        assertEquals("1.235e-07", TextForms.number(1.23456e-7));
        assertEquals("NaN", TextForms.number(Double.NaN));
        assertEquals("0.3333", TextForms.value(1.0f / 3));
        assertEquals("[image 3x2]", TextForms.value(new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB)));
    }

    @Test
    void dataUrisInTextBecomeTheirSize() {
        String uri = Thumbnails.dataUri(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB));
        assertEquals("a [image 40x30] b [image 40x30]", TextForms.withoutDataUris("a " + uri + " b " + uri));
        assertEquals("[image]", TextForms.withoutDataUris("data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ=="));
        assertEquals("no images here", TextForms.withoutDataUris("no images here"));
    }
}
