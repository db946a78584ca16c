package org.medvlm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: refuses clearly. */
@Command(name = "install-kernel", mixinStandardHelpOptions = true, description = "Installs the Jupyter kernel (not built yet).")
final class InstallKernelCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'install-kernel' is not built yet");
    }
}
