package org.medvlm.kernel.magic;

import java.io.PrintWriter;
import java.util.function.Consumer;
import org.medvlm.cli.Display;
import org.medvlm.cli.Session;
import org.medvlm.kernel.live.RunView;
import org.medvlm.kernel.render.Renderers;
import org.medvlm.train.RunEvents;

/**
 * The notebook's {@link Display}: text goes to the cell's stdout/stderr streams, results are rendered
 * (tables as HTML, charts and images as PNG) and the last one shown is kept so the notebook can go on
 * with it in code ({@code last}).
 */
public final class KernelDisplay implements Display {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Consumer<Object> renderer;
    private final Session session;
    private Object last;
    private boolean shown;

    public KernelDisplay(PrintWriter out, PrintWriter err, Consumer<Object> renderer, Session session) {
        this.out = out;
        this.err = err;
        this.renderer = renderer;
        this.session = session;
    }

    /** The kernel's session (e.g. the datasets loaded by name), shared by every magic of the kernel. */
    @Override
    public Session session() {
        return session;
    }

    @Override
    public PrintWriter out() {
        return out;
    }

    @Override
    public PrintWriter err() {
        return err;
    }

    @Override
    public void show(Object result) {
        out.flush();
        for (Object part : Renderers.parts(result)) {
            renderer.accept(part);
        }
        last = result;
        shown = true;
    }

    /**
     * A run shown live in the cell: progress bar, loss and score charts and the growing answer table, redrawn in
     * place ({@code update_display_data}), also after the cell returned when the run goes on in the background.
     */
    @Override
    public RunEvents.Listener runView(String title, long totalSteps) {
        // in a stock IJava (IJavaExtension) the live displays have no MedVLM kernel to send through: lines instead
        return org.medvlm.kernel.Notebook.kernelRunning() ? RunView.show(title, totalSteps) : Display.super.runView(title, totalSteps);
    }

    @Override
    public boolean rich() {
        return true;
    }

    /** The last value shown, or null when nothing was. */
    public Object last() {
        return last;
    }

    /** Whether {@link #show} was called. */
    public boolean shown() {
        return shown;
    }
}
