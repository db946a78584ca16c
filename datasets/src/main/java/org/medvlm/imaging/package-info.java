/**
 * Fast image preprocessing for the vision encoder: decode, Pillow-exact bicubic resize of the short side,
 * centre crop, CLIP normalisation into the model's CHW float input, one image or a batch on all cores.
 * {@link org.medvlm.imaging.ImagePreprocessor} is the front door.
 */
package org.medvlm.imaging;
