package org.medvlm.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import io.github.spencerpark.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;

/** One output's size bound: long text cut with a note, oversized representations left out, small ones untouched. */
class DisplayLimitsTest {

    @Test
    void smallOutputsAreSentAsTheyAre() {
        DisplayData d = new DisplayData("small");
        d.putHTML("<b>small</b>");
        assertSame(d, DisplayLimits.bound(d));
        assertEquals(null, DisplayLimits.bound(null));
    }

    @Test
    void longTextIsCutWithANoteAndTheCallersObjectIsUnchanged() {
        String huge = "x".repeat(5_000_000);
        DisplayData d = new DisplayData(huge);
        DisplayData bounded = DisplayLimits.bound(d);
        String text = (String) bounded.getData(MIMEType.TEXT_PLAIN);
        assertTrue(text.startsWith("x".repeat(DisplayLimits.MAX_TEXT_CHARS) + "\n… [value truncated by the kernel: 5,000,000 characters,"),
                text.substring(DisplayLimits.MAX_TEXT_CHARS - 10));
        assertSame(huge, d.getData(MIMEType.TEXT_PLAIN), "the caller's DisplayData keeps its text");
        // bounding what is already bounded changes nothing
        assertSame(bounded, DisplayLimits.bound(bounded));
    }

    @Test
    void oversizedRepresentationsAreLeftOutAndTheTextSaysSo() {
        DisplayData d = new DisplayData("a table");
        d.putHTML("<td>" + "y".repeat(DisplayLimits.MAX_DATA_CHARS) + "</td>");
        d.setDisplayId("live-1");
        DisplayData bounded = DisplayLimits.bound(d);
        assertFalse(bounded.hasDataForType(MIMEType.TEXT_HTML));
        assertTrue(((String) bounded.getData(MIMEType.TEXT_PLAIN)).startsWith("a table\n[display too large for the kernel to send: "
                + "text/html (16,777,225 characters) was not sent]"), (String) bounded.getData(MIMEType.TEXT_PLAIN));
        assertEquals("live-1", bounded.getDisplayId(), "an update still finds its display");
        assertTrue(d.hasDataForType(MIMEType.TEXT_HTML));
    }

    @Test
    void imagesInTheTextFormBecomeTheirSizeAndTheHtmlKeepsThem() {
        String uri = org.medvlm.imaging.Thumbnails.dataUri(new java.awt.image.BufferedImage(96, 96, 1));
        DisplayData d = new DisplayData("answer | " + uri + " | yes");
        d.putHTML("<img src=\"" + uri + "\"/>");
        DisplayData bounded = DisplayLimits.bound(d);
        assertEquals("answer | [image 96x96] | yes", bounded.getData(MIMEType.TEXT_PLAIN));
        assertEquals(d.getData(MIMEType.TEXT_HTML), bounded.getData(MIMEType.TEXT_HTML));
        assertSame(bounded, DisplayLimits.bound(bounded));
    }
}
