/**
 * Checkpoints on disk: a safetensors reader that memory-maps files of any size (including the
 * shards over 2 GiB that DJL's own {@code NDList.decode} cannot read), sharded checkpoints through
 * {@code model.safetensors.index.json}, an atomic writer, and {@link org.medvlm.checkpoint.Weights},
 * the strict key-and-shape checked view that model classes build their parameters from.
 */
package org.medvlm.checkpoint;
