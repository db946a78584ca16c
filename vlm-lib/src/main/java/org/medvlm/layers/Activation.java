package org.medvlm.layers;

import ai.djl.ndarray.NDArray;
import java.util.Locale;

/**
 * Activations by their Hugging Face / timm config names. {@code gelu} is the exact erf form (timm's
 * {@code nn.GELU}, HF's "gelu"); the tanh approximation is a different function and has its own names.
 */
public enum Activation {
    /** Exact GELU, x * Phi(x). */
    GELU,
    /** GELU with the tanh approximation (HF "gelu_new", "gelu_pytorch_tanh", BLOOM). */
    GELU_TANH,
    /** max(0, x). */
    RELU,
    /** x * sigmoid(x) (HF "silu", "swish"). */
    SILU;

    /** The activation an HF {@code hidden_act} string names. */
    public static Activation fromConfig(String hiddenAct) {
        return switch (hiddenAct.toLowerCase(Locale.ROOT)) {
            case "gelu" -> GELU;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu_tanh" -> GELU_TANH;
            case "relu" -> RELU;
            case "silu", "swish" -> SILU;
            default -> throw new IllegalArgumentException("hidden_act '" + hiddenAct
                    + "' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu, silu)");
        };
    }

    /** The name HF configs use for it ({@code hidden_act}). */
    public String configName() {
        return switch (this) {
            case GELU -> "gelu";
            case GELU_TANH -> "gelu_new";
            case RELU -> "relu";
            case SILU -> "silu";
        };
    }

    /** Applies the activation elementwise; the result belongs to {@code x}'s manager. */
    public NDArray apply(NDArray x) {
        return switch (this) {
            case GELU -> ai.djl.nn.Activation.gelu(x);
            case GELU_TANH -> {
                // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
                NDArray inner = Scalars.mul(x.add(Scalars.mul(x.square().mul(x), 0.044715f)), (float) Math.sqrt(2 / Math.PI));
                yield Scalars.mul(x.mul(Scalars.add(inner.tanh(), 1f)), 0.5f);
            }
            case RELU -> ai.djl.nn.Activation.relu(x);
            case SILU -> x.mul(ai.djl.nn.Activation.sigmoid(x));
        };
    }
}
