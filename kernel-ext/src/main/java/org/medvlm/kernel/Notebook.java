package org.medvlm.kernel;

import io.github.spencerpark.jupyter.kernel.display.DisplayData;
import java.util.UUID;
import org.medvlm.kernel.live.LiveDisplay;
import org.medvlm.cli.Session;

/**
 * What notebook code reaches through {@code import static org.medvlm.kernel.Notebook.*} (done at kernel
 * start), with IJava's names: {@link #display}, {@link #render}, {@link #updateDisplay},
 * {@link #clearOutput}, plus {@link #last()} (the last value a magic showed) and {@link #session()}.
 *
 * <p>The static kernel reference is set once when the kernel starts, like IJava's
 * {@code IJava.getKernelInstance()}; notebook code has no other handle on the kernel.
 */
public final class Notebook {
    private static volatile JavaKernel kernel;

    private Notebook() {}

    static void bind(JavaKernel k) {
        kernel = k;
    }

    static JavaKernel kernel() {
        JavaKernel k = kernel;
        if (k == null) {
            throw new IllegalStateException("no notebook kernel is running in this JVM");
        }
        return k;
    }

    /** Whether a MedVLM kernel runs in this JVM (in a stock IJava with the extension, none does). */
    public static boolean kernelRunning() {
        return kernel != null;
    }

    /** Renders a value (as the kernel would show it) without showing it. */
    public static DisplayData render(Object value) {
        return value instanceof DisplayData d ? d : kernel().getRenderer().render(value);
    }

    /** Renders a value as the given MIME types only, e.g. {@code render(chart, "image/svg+xml")}. */
    public static DisplayData render(Object value, String... mimeTypes) {
        return kernel().getRenderer().renderAs(value, mimeTypes);
    }

    /** Shows a value now, in the running cell; returns its display id for {@link #updateDisplay}. */
    public static String display(Object value) {
        return display(value, UUID.randomUUID().toString());
    }

    /** Shows a value under the given display id. */
    public static String display(Object value, String displayId) {
        DisplayData data = new DisplayData(render(value));
        data.setDisplayId(displayId);
        kernel().display(data);
        return displayId;
    }

    /**
     * Replaces what display {@code id} shows (an {@code update_display_data} message); works from any thread,
     * also after the cell that showed it ended.
     */
    public static void updateDisplay(String id, Object value) {
        kernel().updateDisplay(id, new DisplayData(render(value)));
    }

    /**
     * An image as a PNG {@code data:} URI: put it in a Tablesaw string column and the table shows it as a
     * thumbnail.
     */
    public static String imageUri(java.awt.image.BufferedImage image) {
        return org.medvlm.imaging.Thumbnails.dataUri(image);
    }

    /** Clears the cell's output now. */
    public static void clearOutput() {
        kernel().clearOutput(false);
    }

    /** The last value a magic showed ({@code %zero ...} then {@code var plan = (ZeroPlan) last();}). */
    public static Object last() {
        return kernel().magicLast();
    }

    /** The kernel's session: datasets loaded by name and other per-kernel state. */
    public static Session session() {
        return kernel().session();
    }

    /** Runs a line magic from code: {@code magic("zero", "--gpus 8")}. */
    public static void magic(String name, String args) {
        kernel().runLineMagic(name, args);
    }

    /** Internal: a live display registers itself so the kernel sends its last state when the cell ends. */
    public static void live(LiveDisplay display) {
        kernel().live(display);
    }

    /** Internal: the code the kernel generates for a magic ({@code %name args}, {@code %%name}) calls this. */
    public static void runPendingMagic(int id) {
        kernel().runPendingMagic(id);
    }

}
