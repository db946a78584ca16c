package org.medvlm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: refuses clearly. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Trains the VLM (not built yet).")
final class TrainCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'train' is not built yet");
    }
}
