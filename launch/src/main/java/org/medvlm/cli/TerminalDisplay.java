package org.medvlm.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import tech.tablesaw.api.Table;

/** The terminal: text only. A table prints in full, anything else through its {@code toString()}. */
public final class TerminalDisplay implements Display {
    private final PrintWriter out;
    private final PrintWriter err;
    private final Session session = new Session();

    public TerminalDisplay(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    public static TerminalDisplay system() {
        return new TerminalDisplay(
                new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
    }

    @Override public PrintWriter out() { return out; }

    @Override public PrintWriter err() { return err; }

    @Override public Session session() { return session; }

    @Override
    public void show(Object result) {
        if (result instanceof Table t) {
            out.println(t.printAll());
        } else if (result instanceof java.awt.image.BufferedImage || result instanceof org.knowm.xchart.internal.chartpart.Chart<?, ?>) {
            // pictures have no text form; commands offer --png for the terminal
            return;
        } else {
            out.println(result);
        }
        out.flush();
    }
}
