package org.medvlm.kernel;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.medvlm.kernel.wire.KernelConnection;

/**
 * Starts the kernel: {@code java -jar medvlm-kernel.jar CONNECTION_FILE}, as the kernelspec written by
 * {@code medvlm install-kernel} says. Stderr stays quiet: the base library logs every message at INFO
 * through java.util.logging, and lowering its own logger is not enough (its loop threads log elsewhere),
 * so the root logger is lowered.
 */
public final class MedvlmKernel {
    private MedvlmKernel() {}

    public static void main(String[] args) throws Exception {
        quietLogging();
        if (args.length != 1) {
            System.err.println("medvlm-kernel: usage: java -jar medvlm-kernel.jar CONNECTION_FILE (Jupyter passes it)");
            System.exit(2);
            return;
        }
        String json;
        try {
            json = Files.readString(Path.of(args[0]));
        } catch (IOException e) {
            System.err.println("medvlm-kernel: " + args[0] + ": cannot read the connection file: " + e.getMessage());
            System.exit(1);
            return;
        }
        KernelConnectionProperties props = KernelConnectionProperties.parse(json);
        // only here, in the kernel's own process: the in-process tests' JVM must keep its System.exit
        boolean guarded = ExitGuard.install();
        JavaKernel kernel = new JavaKernel();
        Runtime.getRuntime().addShutdownHook(new Thread(kernel::reportExit, "medvlm-exit-report"));
        ExitGuard.reportTo(kernel::notice);
        if (!guarded) {
            System.err.println("medvlm-kernel: Java " + Runtime.version().feature() + " does not allow the exit guard;"
                    + " System.exit in a cell will end the kernel (it is reported to the front end first)");
        }
        kernel.warmUpInBackground();
        // -Dmedvlm.kernel.basePolling=true keeps the base library's polling loop (IJava's): the benchmark's baseline
        JupyterConnection connection = Boolean.getBoolean("medvlm.kernel.basePolling")
                ? new JupyterConnection(props) : new KernelConnection(props);
        kernel.becomeHandlerForConnection(connection);
        Protocol.install(kernel, connection);
        connection.connect();
        connection.waitUntilClose();
        kernel.onShutdown(false);
        ExitGuard.allowExit();
        System.exit(0);
    }

    static void quietLogging() {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.WARNING);
        for (var h : root.getHandlers()) {
            h.setLevel(Level.WARNING);
        }
        // slf4j-simple (DJL and the toolkit log through SLF4J) reads these once, at its first logger
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("java.awt.headless", "true");
    }
}
