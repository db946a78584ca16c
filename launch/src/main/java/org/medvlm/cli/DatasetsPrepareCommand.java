package org.medvlm.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.medvlm.launch.InitModel;
import org.medvlm.launch.PreparedData;
import org.medvlm.vlm.Fusion;
import org.medvlm.vlm.Tokenizer;
import org.medvlm.vlm.VlmLoader;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code datasets prepare FORMAT:PATH --out DIR}: the dataset read once by the Java loaders and written for the
 * Python trainer (FORMATS.md "Prepared data"): a manifest with the model tokenizer's ids, the tokenizer, phantom and
 * embedded images as files. Preparing the same source again into the same folder does nothing.
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = {"Prepares a dataset for the Python trainer: manifest.jsonl with token ids, tokenizer.json, images.",
            "Example: medvlm datasets prepare phantoms:400:3 --out data/ph --preset tiny"})
final class DatasetsPrepareCommand implements Callable<Integer> {
    private final Display display;

    @Parameters(index = "0", paramLabel = "FORMAT:PATH", description = "The dataset as distributed: slake:DIR, vqa-rad:DIR, phantoms:COUNT:SEED, ...")
    String spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write (new or empty, or prepared before from the same source).")
    Path out;

    @ArgGroup(exclusive = true)
    Model model = new Model();

    static final class Model {
        @Option(names = "--model", paramLabel = "DIR", description = "The model folder whose tokenizer and prompt template to use.")
        Path dir;

        @Option(names = "--preset", paramLabel = "NAME", description = "A preset's tokenizer and prompt (default tiny: the built-in tokenizer).")
        String preset;
    }

    DatasetsPrepareCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws Exception {
        PreparedData.Summary s;
        if (model.dir != null) {
            InitModel.ModelFolder folder = InitModel.open(model.dir);
            try (Tokenizer tokenizer = folder.tokenizer()) {
                s = PreparedData.prepare(spec, tokenizer, folder.tokenizerFile().orElseThrow(), folder.prompt(), out);
            }
        } else {
            InitModel.Preset preset = InitModel.Preset.of(model.preset == null ? "tiny" : model.preset);
            if (preset != InitModel.Preset.TINY && preset != InitModel.Preset.TINY_GATED) {
                throw new UserError("preset " + preset + " takes its tokenizer from the bloomz folder: give --model DIR"
                        + " (a model folder, or the init folder of a launched run)");
            }
            try (Tokenizer tokenizer = Tokenizer.builtin()) {
                s = PreparedData.prepare(spec, tokenizer, null, VlmLoader.builtinConfig(Fusion.QFORMER).prompt(), out);
            }
        }
        display.out().println("prepared " + s);
        display.out().flush();
        return Medvlm.EXIT_OK;
    }
}
