/**
 * Flamingo-style fusion, the earlier alternative to the Q-Former prefix: a {@link
 * org.medvlm.fusion.PerceiverResampler} turns visual tokens into a fixed number of latents, and {@link
 * org.medvlm.fusion.GatedCrossAttentionBlock}s (tanh gates initialised at 0) run before every n-th BLOOM layer
 * through {@link org.medvlm.bloom.Bloom}'s per-layer hooks. Key names follow OpenFlamingo ({@code perceiver.*},
 * {@code gated_cross_attn_layers.N.*}).
 */
package org.medvlm.fusion;
