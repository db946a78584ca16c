package org.medvlm.cli;

import java.io.PrintWriter;

/**
 * Where a command's results go. The terminal prints text (or JSON, with {@code --json}); the notebook
 * kernel implements the same interface and shows rich objects (tables, charts, images) instead.
 * Commands compute a result value and hand it to {@link #show}; they never decide how it looks.
 */
public interface Display {

    /** Text output (help, plain results, JSON). */
    PrintWriter out();

    /** Diagnostics and errors. */
    PrintWriter err();

    /**
     * Shows one result value: a record of the toolkit, a Tablesaw table, an XChart chart, a
     * BufferedImage. The terminal prints its text form; the notebook renders it and keeps it as the
     * cell's last result.
     */
    void show(Object result);

    /** State kept between commands run on this display (named datasets, the loaded model). */
    Session session();

    /**
     * Where a training run's events go while it runs: the terminal prints a progress bar (or plain lines when output is
     * not a console); the notebook shows a live loss chart, a progress bar and a growing image–answer table.
     */
    default org.medvlm.train.RunEvents.Listener runView(String title, long totalSteps) {
        return new TerminalRunView(err(), totalSteps, System.console() != null); // stdout stays for results (--json)
    }

    /** True where rich values (charts, images) can be shown; the terminal says false. */
    default boolean rich() {
        return false;
    }
}
