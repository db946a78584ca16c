package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.checkpoint.SafetensorsWriter;
import org.medvlm.checkpoint.StateDict;
import org.medvlm.data.VqaExample;
import org.medvlm.layers.Parameter;
import org.medvlm.phantoms.Phantoms;
import org.medvlm.train.AdamW;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.Tokenizer;
import org.medvlm.vlm.TrainingExamples;
import org.medvlm.vlm.VisionLanguageModel;
import org.medvlm.vlm.VlmLoader;

/**
 * The Java model and the Python trainer compute the same thing: on one checkpoint (the built-in architecture with
 * random weights, saved by Java) and one batch (phantoms, encoded and right-padded by Java's TrainingExamples), fp32 on
 * the CPU with dropout off, the logits agree within 1e-5, the loss within 1e-5, every parameter's gradient within 1e-5
 * of that tensor's largest gradient (gradients that are zero in exact arithmetic, as attention key biases', are
 * rounding noise on both sides: they are held to 1e-6 of the largest gradient of all), and one AdamW update (lr 1e-2,
 * weight decay 0.1, decay groups as Java's) from the same gradients gives the same parameters and moments. The update
 * is compared on Python's gradients: AdamW's first step moves a weight by lr * g / (|g| + eps), so where |g| is near
 * eps a gradient's last-bit difference changes the update by a large fraction of lr. Python's side is
 * {@code python3 -m medvlm.stepcheck}.
 */
class JavaPythonParityTest {
    @TempDir Path dir;

    @Test
    void logitsLossGradientsAndOneAdamWStepAgree() throws Exception {
        String python = PythonTorch.require();
        Path model = dir.resolve("model");
        Path batchFile = dir.resolve("batch.safetensors");
        Map<String, float[]> java = new LinkedHashMap<>();
        Map<String, float[]> py = new LinkedHashMap<>();
        float[] logits;
        float loss;
        try (VisionLanguageModel vlm = VisionLanguageModel.random(VlmLoader.builtinConfig(Fusion.QFORMER), Tokenizer.builtin(), 7)) {
            vlm.train(false); // dropout off on both sides
            vlm.save(model);
            TrainingExamples ex = new TrainingExamples(vlm);
            List<TrainingExamples.Example> examples = new ArrayList<>();
            for (VqaExample e : Phantoms.generate(5, 9)) {
                examples.add(ex.encode(e.image().load(), e.question(), e.answer()));
            }
            Map<String, Parameter> params = vlm.trainableParameters();
            try (NDManager s = vlm.manager().newSubManager()) {
                VisionLanguageModel.Batch batch = ex.collate(examples, s);
                SafetensorsWriter.create().add("pixel_values", batch.pixels()).add("input_ids", batch.inputIds())
                        .add("attention_mask", batch.attentionMask()).add("labels", batch.labels()).write(batchFile);
                logits = vlm.logits(batch).toFloatArray();
                params.values().forEach(p -> p.attachGradient(true));
                Map<String, NDArray> grads = new LinkedHashMap<>();
                try (GradientCollector gc = s.getEngine().newGradientCollector()) {
                    NDArray l = vlm.forward(batch);
                    loss = l.getFloat();
                    gc.backward(l);
                }
                params.forEach((k, p) -> java.put("grad." + k, p.gradient(s).toType(DataType.FLOAT32, false).toFloatArray()));
                params.values().forEach(p -> p.attachGradient(false));
                // Python's step on the same checkpoint and batch
                Path out = dir.resolve("step.safetensors");
                PythonEnv.Result r = PythonEnv.runWithPackage(List.of(python, "-m", "medvlm.stepcheck", "--model",
                        model.toString(), "--batch", batchFile.toString(), "--out", out.toString(), "--lr", "1e-2",
                        "--weight-decay", "0.1", "--freeze", "none", "--logits"));
                assertEquals(0, r.code(), r.output());
                try (StateDict sd = StateDict.open(out)) {
                    for (String k : sd.keys()) {
                        py.put(k, sd.load(k, s).toType(DataType.FLOAT32, false).toFloatArray());
                        if (k.startsWith("grad.")) {
                            grads.put(k.substring(5), sd.load(k, s).toType(DataType.FLOAT32, false));
                        }
                    }
                }
                // Java's AdamW on Python's gradients
                try (AdamW opt = new AdamW(vlm, new AdamW.Settings(0.9, 0.999, 1e-8, 0.1), vlm.manager())) {
                    opt.step(grads, 1e-2);
                    opt.state().forEach((k, v) -> java.put(k, v.toFloatArray()));
                }
                params.forEach((k, p) -> java.put("param." + k, p.array().toFloatArray()));
            }
        }
        assertEquals(loss, py.get("loss")[0], 1e-5, "loss");
        assertEquals(logits.length, py.get("logits").length, "logits shape");
        double worstLogit = 0;
        for (int i = 0; i < logits.length; i++) {
            worstLogit = Math.max(worstLogit, Math.abs(logits[i] - py.get("logits")[i]));
        }
        assertTrue(worstLogit <= 1e-5, "logits differ by " + worstLogit);
        int gradients = 0;
        List<String> report = new ArrayList<>();
        double largestGradient = 0;
        for (Map.Entry<String, float[]> e : java.entrySet()) {
            if (e.getKey().startsWith("grad.")) {
                for (float v : e.getValue()) {
                    largestGradient = Math.max(largestGradient, Math.abs(v));
                }
            }
        }
        double floor = 1e-6 * largestGradient;
        for (Map.Entry<String, float[]> e : java.entrySet()) {
            String k = e.getKey();
            float[] p = Optional.ofNullable(py.get(k)).orElseThrow(() -> new AssertionError("Python wrote no " + k));
            float[] j = e.getValue();
            assertEquals(j.length, p.length, k);
            double big = 0;
            double diff = 0;
            for (int i = 0; i < j.length; i++) {
                big = Math.max(big, Math.abs(j[i]));
                diff = Math.max(diff, Math.abs(j[i] - p[i]));
            }
            // gradients relative to the tensor's largest one (with the floor for exact zeros); the update absolutely
            double allowed = k.startsWith("grad.") ? Math.max(1e-5 * big, floor) : k.startsWith("param.") ? 1e-6
                    : 1e-5 * Math.max(big, 1e-30);
            if (!(diff <= allowed)) {
                report.add(k + ": differs by " + diff + " (largest " + big + ")");
            }
            gradients += k.startsWith("grad.") ? 1 : 0;
        }
        assertTrue(report.isEmpty(), String.join("\n", report));
        assertEquals(gradients, py.keySet().stream().filter(k -> k.startsWith("grad.")).count(), "the same trained tensors");
        assertTrue(gradients > 50, "every parameter trained: " + gradients);
    }
}
