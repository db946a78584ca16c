/**
 * The BLIP-2 Q-Former: Hugging Face {@code Blip2QFormerModel} with its key names
 * ({@link org.medvlm.qformer.QFormer}), the learned query tokens and the language projection of
 * {@code Blip2ForConditionalGeneration} ({@link org.medvlm.qformer.QFormerProjector}), and the
 * LAVIS → Hugging Face key renames applied at the loading edge ({@link org.medvlm.qformer.LavisKeys}).
 */
package org.medvlm.qformer;
