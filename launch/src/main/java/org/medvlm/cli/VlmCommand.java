package org.medvlm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: refuses clearly. */
@Command(name = "vlm", mixinStandardHelpOptions = true, description = "Loads the VLM and asks it about images (not built yet).")
final class VlmCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'vlm' is not built yet");
    }
}
