package org.medvlm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: refuses clearly. */
@Command(name = "zero", mixinStandardHelpOptions = true, description = "Plans ZeRO memory per GPU (not built yet).")
final class ZeroCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'zero' is not built yet");
    }
}
