package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.launch.PythonEnv;
import org.medvlm.launch.PythonTorch;
import org.medvlm.vision.VisionTransformer;

/**
 * {@code convert biomedclip}: an open_clip pickle (a small one made here with torch, BiomedCLIP's layout: the trunk
 * under visual.trunk., a head projection, a text tower) becomes a timm folder the Java ViT loads, with the same
 * features as the trunk in Python.
 */
class ConvertCommandTest {
    @TempDir Path dir;

    @Test
    void openClipPickleBecomesATimmFolderJavaLoads() throws Exception {
        String python = PythonTorch.require();
        Path pickle = dir.resolve("open_clip_pytorch_model.bin");
        Path features = dir.resolve("features.f32");
        String script = String.join("\n", "import sys, torch", "from medvlm import config",
                "from medvlm.model.vit import VisionTransformer",
                "torch.manual_seed(0)",
                "m = VisionTransformer(config.VisionConfig(img_size=32, patch_size=8, embed_dim=64, depth=2, num_heads=1)).eval()",
                "m.init_weights()",
                "sd = {'visual.trunk.' + k: v for k, v in m.state_dict().items()}",
                "sd['visual.head.proj.weight'] = torch.randn(16, 64)",
                "sd['text.transformer.embeddings.word_embeddings.weight'] = torch.randn(10, 8)",
                "sd['logit_scale'] = torch.tensor(4.6)",
                "torch.save(sd, sys.argv[1])",
                "x = torch.linspace(-1, 1, 3 * 32 * 32).view(1, 3, 32, 32)",
                "open(sys.argv[2], 'wb').write(m.forward_features(x).detach().numpy().astype('<f4').tobytes())");
        PythonEnv.Result made = PythonEnv.runWithPackage(List.of(python, "-c", script, pickle.toString(), features.toString()));
        assertEquals(0, made.code(), made.output());
        Path out = dir.resolve("biomedclip");
        CliRun r = CliRun.of("convert", "biomedclip", pickle.toString(), "--out", out.toString(), "--num-heads", "1",
                "--python", python);
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("2 blocks"), r.out());
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer vit = VisionTransformer.fromDirectory(out, m);
            float[] x = new float[3 * 32 * 32];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (-1 + 2.0 * i / (x.length - 1));
            }
            NDArray f = vit.forwardFeatures(m.create(x, new Shape(1, 3, 32, 32)));
            float[] got = f.toFloatArray();
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(features)).order(ByteOrder.LITTLE_ENDIAN);
            double worst = 0;
            for (float v : got) {
                worst = Math.max(worst, Math.abs(v - b.getFloat()));
            }
            assertTrue(worst < 1e-4, "Java on the converted folder vs Python on the trunk: " + worst);
        }
        CliRun bad = CliRun.of("convert", "biomedclip", dir.resolve("features.f32").toString(), "--out",
                dir.resolve("no").toString(), "--python", python);
        assertEquals(1, bad.exitCode());
        assertTrue(bad.errIsOneLine() && bad.err().contains("not a PyTorch checkpoint"), bad.err());
    }
}
