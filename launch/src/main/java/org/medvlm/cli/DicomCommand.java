package org.medvlm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder until its issue lands: refuses clearly. */
@Command(name = "dicom", mixinStandardHelpOptions = true, description = "Reads DICOM files (not built yet).")
final class DicomCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("'dicom' is not built yet");
    }
}
