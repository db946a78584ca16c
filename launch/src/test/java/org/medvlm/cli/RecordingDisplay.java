package org.medvlm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A display for tests: keeps what commands printed and showed. Not rich, it behaves as the terminal
 * (shown values also print their text form); rich, as the notebook (values are only recorded). Its
 * session lives as long as the object, so several commands run on it share state as notebook cells do.
 */
class RecordingDisplay implements Display {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final List<Object> shown = new ArrayList<>();
    private final PrintWriter outWriter = new PrintWriter(out, true);
    private final PrintWriter errWriter = new PrintWriter(err, true);
    private final TerminalDisplay text = new TerminalDisplay(outWriter, errWriter);
    private final Session session = new Session();
    private final boolean rich;

    RecordingDisplay(boolean rich) {
        this.rich = rich;
    }

    /** Runs one command line on this display and returns its exit code. */
    int run(String... args) {
        return Medvlm.commandLine(this).execute(args);
    }

    @Override public PrintWriter out() { return outWriter; }

    @Override public PrintWriter err() { return errWriter; }

    @Override public Session session() { return session; }

    @Override public boolean rich() { return rich; }

    @Override
    public void show(Object result) {
        shown.add(result);
        if (!rich) {
            text.show(result);
        }
    }
}
