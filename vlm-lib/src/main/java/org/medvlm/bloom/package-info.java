/**
 * BLOOM / BLOOMZ language model with Hugging Face semantics and key names: {@link org.medvlm.bloom.BloomConfig},
 * the model in one top-to-bottom file {@link org.medvlm.bloom.Bloom}, its KV cache, the adapter used by the
 * generator, and {@link org.medvlm.bloom.BloomCheck} which compares against a transformers reference file.
 */
package org.medvlm.bloom;
