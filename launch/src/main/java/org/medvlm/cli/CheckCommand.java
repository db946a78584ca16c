package org.medvlm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: refuses clearly. */
@Command(name = "check", mixinStandardHelpOptions = true, description = "Checks a model against reference outputs (not built yet).")
final class CheckCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'check' is not built yet");
    }
}
