package org.medvlm.zero;

/**
 * The whole vision-language model: a ViT encoder, a Q-Former with its learned query tokens, the
 * {@code language_projection} from the Q-Former width to the LM width, and the language model. The
 * LM's visual prefix is the query tokens, so the decoder sees queries + text tokens.
 */
public final class VlmSize {
    private VlmSize() {}

    /**
     * @param queryTokens  number of learned queries (BLIP-2: 32)
     * @param qformerWidth the Q-Former hidden size (the width of {@code query_tokens} and the projection input)
     */
    public static ModelSize of(String name, ModelSize vision, ModelSize qformer, int queryTokens, int qformerWidth,
                               ModelSize languageModel) {
        TransformerShape lm = languageModel.shape().orElseThrow(() ->
                new IllegalArgumentException(name + ": the language model description has no decoder shape"));
        long queries = (long) queryTokens * qformerWidth;
        long projection = (long) qformerWidth * lm.hidden() + lm.hidden();
        long params;
        try {
            params = Math.addExact(Math.addExact(Math.addExact(vision.params(), qformer.params()), queries + projection),
                    languageModel.params());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + ": the parameter count overflows; beyond what is planned here (at most 10^15)");
        }
        long largest = Math.max(Math.max(vision.largestLayerParams(), qformer.largestLayerParams()),
                Math.max(Math.max(queries, projection), languageModel.largestLayerParams()));
        return new ModelSize(name, params, largest, languageModel.shape().map(s -> s.withVisualTokens(queryTokens)));
    }

    /** BiomedCLIP ViT-B/16 → BLIP-2 Q-Former (32 queries, 768 wide) → {@code languageModel}. */
    public static ModelSize medVlm(ModelSize languageModel) {
        return of("medvlm-" + languageModel.name(), VitSize.biomedClipVitB16(), QFormerSize.blip2ForBiomedClip(), 32, 768,
                languageModel);
    }
}
