package org.medvlm.qformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.testing.Configs;
import org.medvlm.testing.Shared;

/** The Q-Former against transformers' Blip2QFormerModel on ../shared/reference/qformer-tiny. */
class QFormerReferenceTest {

    @Test
    void qformerTinyMatchesTransformers() throws Exception {
        Path dir = Shared.path("reference/qformer-tiny");
        QFormer.Config config = QFormer.Config.fromJson(Configs.file(dir.resolve("config.json")));
        assertEquals(1, config.crossAttentionFrequency());
        assertEquals(48, config.encoderHiddenSize());
        try (NDManager m = NDManager.newBaseManager();
             StateDict weights = StateDict.open(dir);
             StateDict reference = StateDict.open(dir.resolve("reference.safetensors"))) {
            QFormer qformer = QFormer.load(config, weights, m, DataType.FLOAT32);
            Map<String, NDArray> ref = reference.toMap(m);
            NDArray out = qformer.forward(ref.get("query_embeds"), ref.get("encoder_hidden_states"));
            assertEquals(ref.get("last_hidden_state").getShape(), out.getShape());
            float diff = out.sub(ref.get("last_hidden_state")).abs().max().getFloat();
            assertTrue(diff <= 1e-4, "last_hidden_state differs by " + diff);
            assertTrue(ref.get("last_hidden_state").abs().max().getFloat() > 0.5f);
            {
                QFormer again = QFormer.fromDirectory(dir, m);
                assertTrue(again.forward(ref.get("query_embeds"), ref.get("encoder_hidden_states"))
                        .sub(ref.get("last_hidden_state")).abs().max().getFloat() <= 1e-4);
            }
        }
    }
}
