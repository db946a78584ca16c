/**
 * Minimal model-building pieces on DJL NDArrays: a {@link org.medvlm.layers.Module} whose registered names are
 * checkpoint keys, strict state-dict loading, and the layers the model parts share (Linear, LayerNorm, Embedding,
 * Conv2d, the HF/timm activations). Each layer calls the engine's fused op (torch {@code linear}, {@code layer_norm},
 * {@code embedding}, {@code conv2d}). Every model part (ViT, Q-Former, BLOOM, fusion) is built from these: construct
 * it unloaded, then {@code loadStateDict(StateDict.open(dir).toMap(manager, FLOAT32))} after renaming foreign keys.
 * Parts that own their arrays (ViT, Q-Former, projector) load through {@code Module.loadOwned}/{@code randomOwned}
 * into a sub-manager that their {@code close()} frees; {@link org.medvlm.layers.ConfigFiles} reads their config.json.
 *
 * <p>Memory rule for forward code: DJL attaches an op's result to the manager of its <em>first</em> operand, so
 * forward methods always put the activation first and weights second; that way every temporary of a decoding step
 * lands in the step's sub-manager and is freed when the step closes.
 */
package org.medvlm.layers;
