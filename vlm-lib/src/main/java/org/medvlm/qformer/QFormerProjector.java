package org.medvlm.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.layers.InitPolicy;
import org.medvlm.layers.Linear;
import org.medvlm.layers.Module;
import org.medvlm.layers.Parameter;
import org.medvlm.layers.Rows;

/**
 * The bridge of {@code Blip2ForConditionalGeneration} from image tokens to LLM input embeddings:
 * learned {@code query_tokens} [1, Q, hidden], the {@code qformer} ({@link QFormer}) and
 * {@code language_projection} (hidden → LLM width, with bias: 768 → 1024 for bloomz-560m, 768 → 4096
 * for bloomz-7b1). Image tokens [B, N, E] → visual prefix [B, Q, LLM width]. Its keys are the composite
 * checkpoint's top-level ones; the VLM registers it inline.
 */
public final class QFormerProjector extends Module {
    private final Parameter queryTokens;
    private final QFormer qformer;
    private final Linear languageProjection;

    /** An unloaded projector under HF's BLIP-2 keys. */
    public QFormerProjector(QFormer.Config c, int languageHidden) {
        queryTokens = addParameter("query_tokens", 1, c.numQueryTokens(), c.hiddenSize());
        qformer = addChild("qformer", new QFormer(c));
        languageProjection = addChild("language_projection", new Linear(c.hiddenSize(), languageHidden, true));
    }

    /**
     * Loads {@code query_tokens}, {@code qformer.*} and {@code language_projection.*} from a BLIP-2 checkpoint in HF
     * names (convert LAVIS files with {@link LavisKeys#toHf}) in the compute type {@code dtype}; the checkpoint's other
     * parts ({@code vision_model.*}, {@code language_model.*}) are left for their own loaders.
     */
    public static QFormerProjector load(QFormer.Config config, int languageHidden, StateDict weights, NDManager manager,
            DataType dtype) {
        StateDict own = weights.filtered(k -> k.equals("query_tokens") || k.startsWith("qformer.")
                || k.startsWith("language_projection."));
        QFormerProjector p = new QFormerProjector(config, languageHidden);
        p.load(own, manager, dtype); // a filtered view keeps the checkpoint's source for mismatch messages
        return p;
    }

    /** LAVIS's BLIP-2 init: query tokens N(0, 0.02²) and HF's rule for the Q-Former and the projection. */
    public static InitPolicy initPolicy() {
        return InitPolicy.huggingFace(0.02);
    }

    public QFormer qformer() {
        return qformer;
    }

    /** Image tokens [B, N, E] → LLM input embeddings [B, Q, LLM width]. */
    public NDArray forward(NDArray imageTokens) {
        long b = imageTokens.getShape().get(0);
        // the queries repeated per image, as a view owned by the image tokens' manager (not the weights')
        NDArray queries = Rows.expandTo(queryTokens.array(), b, imageTokens.getManager()); // (B, Q, hidden)
        return languageProjection.forward(qformer.forward(queries, imageTokens));
    }
}
