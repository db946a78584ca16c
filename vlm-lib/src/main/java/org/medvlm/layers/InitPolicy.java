package org.medvlm.layers;

/**
 * How a model family initialises its parameters for training, as Hugging Face's {@code _init_weights(module)} or timm's
 * {@code init_weights}: a decision per parameter from its key, its shape and the layer that owns it.
 */
@FunctionalInterface
public interface InitPolicy {

    /**
     * The initial values of one parameter.
     *
     * @param key the full dotted key (e.g. {@code h.0.mlp.dense_h_to_4h.weight})
     * @param p the parameter (name and shape)
     * @param owner the module that registered it (a {@link Linear}, {@link LayerNorm}, ... or the part itself)
     * @param init the seeded draws for this parameter
     */
    float[] draw(String key, Parameter p, Module owner, Initializer init);

    /**
     * Hugging Face's rule (BLOOM, BLIP-2): Linear, Embedding and Conv weights N(0, std²), biases 0, LayerNorm 1 and 0,
     * other tensors (query tokens, position embeddings) N(0, std²).
     */
    static InitPolicy huggingFace(double std) {
        return (key, p, owner, init) -> {
            if (owner instanceof LayerNorm) {
                return p.name().equals("weight") ? init.constant(1) : init.zeros();
            }
            if (p.name().equals("bias")) {
                return init.zeros();
            }
            return init.normal(std);
        };
    }

    /**
     * PyTorch's layer defaults (OpenFlamingo keeps them): Linear and Conv weights {@code kaiming_uniform_(a=√5)},
     * biases U(±1/√fan_in), LayerNorm 1 and 0, Embedding N(0, 1), other tensors N(0, 1).
     */
    static InitPolicy torchDefaults() {
        return (key, p, owner, init) -> {
            if (owner instanceof LayerNorm) {
                return p.name().equals("weight") ? init.constant(1) : init.zeros();
            }
            if ((owner instanceof Linear || owner instanceof Conv2d) && p.name().equals("bias")) {
                return init.biasUniform(((owner instanceof Linear l) ? l.inFeatures() : ((Conv2d) owner).fanIn()));
            }
            if (owner instanceof Linear || owner instanceof Conv2d) {
                return init.kaimingUniform();
            }
            return init.normal(1);
        };
    }
}
