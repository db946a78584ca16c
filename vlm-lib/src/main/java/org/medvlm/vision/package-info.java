/**
 * The vision encoder: a timm {@code VisionTransformer} (BiomedCLIP's ViT-B/16 by default) whose
 * parameter names are timm's keys, BiomedCLIP's open_clip key names converted at the loading edge
 * ({@link org.medvlm.vision.BiomedClipKeys}), and the image preprocessing that travels with the weights
 * ({@link org.medvlm.vision.Preprocess}).
 */
package org.medvlm.vision;
