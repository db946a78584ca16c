/**
 * Training the VLM in-process: AdamW with PyTorch's update rule, Hugging Face's warm-up + cosine schedule, gradient
 * clipping by global norm; the trainer, its run events, run directory and checkpoints build on these.
 */
package org.medvlm.train;
