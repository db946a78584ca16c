package org.medvlm.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command tree in-process and captures what it printed, as the terminal would see it. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Medvlm.commandLine(new TerminalDisplay(new PrintWriter(out, true), new PrintWriter(err, true)))
                .execute(args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** The error output is one line (the guide's rule for bad input). */
    public boolean errIsOneLine() {
        String e = err.strip();
        return !e.isEmpty() && !e.contains("\n");
    }
}
