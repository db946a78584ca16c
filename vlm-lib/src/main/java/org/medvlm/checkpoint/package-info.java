/**
 * Checkpoints on disk: a safetensors reader that memory-maps files of any size (including the
 * shards over 2 GiB that DJL's own {@code NDList.decode} cannot read), sharded checkpoints through
 * {@code model.safetensors.index.json}, an atomic writer, and renaming views for foreign key layouts.
 * A model is loaded as {@code module.loadStateDict(StateDict.open(dir).toMap(manager, FLOAT32))}: the
 * {@link org.medvlm.layers.Module} checks every key and shape strictly.
 */
package org.medvlm.checkpoint;
