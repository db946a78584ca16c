package org.medvlm.qformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.checkpoint.Weights;
import org.medvlm.nn.Linear;

/**
 * The bridge of {@code Blip2ForConditionalGeneration} from image tokens to LLM input embeddings:
 * learned {@code query_tokens} [1, Q, hidden], the {@code qformer} ({@link QFormer}) and
 * {@code language_projection} (hidden → LLM width, with bias: 768 → 1024 for bloomz-560m, 768 → 4096
 * for bloomz-7b1). Image tokens [B, N, E] → visual prefix [B, Q, LLM width].
 */
public final class QFormerProjector implements AutoCloseable {
    private final NDManager manager;
    private final NDArray queryTokens;
    private final QFormer qformer;
    private final Linear languageProjection;
    private final Map<String, NDArray> parameters;

    private QFormerProjector(QFormer.Config c, int languageHidden, Weights w) {
        this.manager = w.manager();
        queryTokens = w.get("query_tokens", new Shape(1, c.numQueryTokens(), c.hiddenSize()), Weights.Init.NORMAL);
        qformer = new QFormer(c, w.child("qformer"), false);
        languageProjection = Linear.of(w, "language_projection", c.hiddenSize(), languageHidden, true);
        parameters = w.parameters();
    }

    /** Made-up weights, owned by a sub-manager of {@code parent}. */
    public static QFormerProjector random(QFormer.Config config, int languageHidden, NDManager parent, long seed) {
        return new QFormerProjector(config, languageHidden, Weights.random(parent.newSubManager(), seed, 0.1));
    }

    /**
     * Loads {@code query_tokens}, {@code qformer.*} and {@code language_projection.*} from a BLIP-2
     * checkpoint in HF names (convert LAVIS files with {@link LavisKeys#toHf}); its other parts
     * ({@code vision_model.*}, {@code language_model.*}) are left for their own loaders.
     */
    public static QFormerProjector load(QFormer.Config config, int languageHidden, StateDict weights, NDManager parent) {
        StateDict own = weights.filtered(k -> k.equals("query_tokens") || k.startsWith("qformer.")
                || k.startsWith("language_projection."));
        NDManager m = parent.newSubManager();
        try {
            Weights w = Weights.load(own, m);
            QFormerProjector p = new QFormerProjector(config, languageHidden, w);
            w.finish();
            return p;
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public QFormer qformer() {
        return qformer;
    }

    /** The parameters by HF key. */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** Image tokens [B, N, E] → LLM input embeddings [B, Q, LLM width]. */
    public NDArray forward(NDArray imageTokens) {
        long b = imageTokens.getShape().get(0);
        Shape q = queryTokens.getShape();
        NDArray queries = queryTokens.broadcast(new Shape(b, q.get(1), q.get(2)));
        return languageProjection.forward(qformer.forward(queries, imageTokens));
    }

    @Override
    public void close() {
        manager.close();
    }
}
