package org.medvlm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: refuses clearly. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, description = "Scores predictions (not built yet).")
final class EvaluateCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'evaluate' is not built yet");
    }
}
