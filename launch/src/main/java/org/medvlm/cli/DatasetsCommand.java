package org.medvlm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: refuses clearly. */
@Command(name = "medvqa", aliases = "datasets", mixinStandardHelpOptions = true, description = "Loads and summarises MedVQA and caption datasets (not built yet).")
final class DatasetsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'medvqa' is not built yet");
    }
}
