/**
 * The composite vision-language model: a vision encoder, a fusion (Q-Former + language projection, or a
 * perceiver resampler + gated cross-attention) and BLOOM, with its tokenizer, prompt template and the
 * built-in small model that needs no download. {@link org.medvlm.vlm.VisionLanguageModel} is the front door.
 */
package org.medvlm.vlm;
