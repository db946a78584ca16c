package io.github.spencerpark.jupyter.kernel;

import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;

/**
 * Attaches the kernel's streams to one execute request. It lives in the base library's package only
 * because {@link JupyterIO#setEnv} is protected in jupyter-jvm-basekernel 2.3.0, and the MedVLM kernel
 * answers execute requests itself (to add the reply fields the protocol requires and clear_output).
 */
public final class ExecuteEnvironment {
    private ExecuteEnvironment() {}

    public static void attach(JupyterIO io, ShellReplyEnvironment env, boolean stdinEnabled) {
        io.setEnv(env);
        io.setJupyterInEnabled(stdinEnabled);
    }

    public static void detach(JupyterIO io, ShellReplyEnvironment env) {
        io.retractEnv(env);
    }
}
