package org.medvlm.zero;

/**
 * Activation memory per GPU for one micro-batch, after Korthikanti et al. 2022 ("Reducing Activation
 * Recomputation in Large Transformer Models", §4): without recomputation each layer keeps
 * s·b·h·(34 + 5·a·s/h) bytes (16-bit activations, 1-byte dropout masks); with full recomputation only
 * each layer's 16-bit input, 2·s·b·h, and one layer's full set while it is recomputed.
 *
 * <p>The formula leaves out the output layer, which dominates for large vocabularies; see
 * {@link #outputLayerBytes}.
 */
public final class ActivationMemory {
    /**
     * Bytes per logit element (b·s·V) alive when backward starts. Hugging Face's causal-LM loss upcasts the
     * logits to fp32: cross-entropy keeps the fp32 log-softmax (4); backward then holds its gradient (4)
     * and the logits' fp32 gradient (4) at the same time. The 16-bit logits themselves are freed once
     * upcast. Checked against BLOOM-560m on an H100 (vocabulary 250,880).
     */
    public static final int OUTPUT_BYTES_PER_LOGIT = 12;

    /**
     * Bytes per logit element at the end of forward: the 16-bit logits (2), their fp32 upcast (4) and the
     * fp32 log-softmax (4) exist together while the loss is computed.
     */
    public static final int OUTPUT_FORWARD_BYTES_PER_LOGIT = 10;

    private ActivationMemory() {}

    /** One transformer layer without recomputation: s·b·h·34 + c·a·s²·b (c = 5 in the paper, see {@link Attention}). */
    public static long perLayerBytes(Workload w) {
        long s = w.sequence();
        long b = w.microBatch();
        TransformerShape t = w.shape();
        return ZeroPlanner.sum(ZeroPlanner.multiply(34 * s * b, t.hidden()),
                ZeroPlanner.multiply(ZeroPlanner.multiply((long) w.bytesPerScore() * t.heads() * s, s), b));
    }

    /** All layers: L·s·b·h·(34 + 5as/h), or 2·s·b·h·L with checkpointing. */
    public static long activationBytes(Workload w) {
        TransformerShape t = w.shape();
        if (w.checkpointing()) {
            return ZeroPlanner.multiply(ZeroPlanner.multiply(2 * w.tokens(), t.hidden()), t.layers());
        }
        return ZeroPlanner.multiply(t.layers(), perLayerBytes(w));
    }

    /** Logits and loss: {@value #OUTPUT_BYTES_PER_LOGIT} bytes × b·s·V. */
    public static long outputLayerBytes(Workload w) {
        return ZeroPlanner.multiply(OUTPUT_BYTES_PER_LOGIT * w.tokens(), w.shape().vocab());
    }

    /** Logits and loss at the end of forward: {@value #OUTPUT_FORWARD_BYTES_PER_LOGIT} bytes × b·s·V. */
    public static long outputForwardBytes(Workload w) {
        return ZeroPlanner.multiply(OUTPUT_FORWARD_BYTES_PER_LOGIT * w.tokens(), w.shape().vocab());
    }

    /**
     * What is alive besides the stored activations at the worst moment of backward: the output layer
     * right after the loss, or, with checkpointing, one layer's recomputed activations later on,
     * whichever is larger (the output layer's memory is freed before any layer is recomputed).
     */
    public static long backwardWorkingBytes(Workload w) {
        long output = outputLayerBytes(w);
        return w.checkpointing() ? Math.max(output, perLayerBytes(w)) : output;
    }
}
