package org.medvlm.kernel;

/** Placeholder until the kernel issue lands. */
public final class MedvlmKernel {
    private MedvlmKernel() {}

    public static void main(String[] args) {
        System.err.println("medvlm-kernel: not built yet");
        System.exit(1);
    }
}
