package org.medvlm.cli;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medvlm.check.CheckResult;
import org.medvlm.check.ModelChecks;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code medvlm check --model DIR --reference FILE [--json]}: runs the model in DIR (config.json +
 * safetensors in Hugging Face layout) on the inputs stored in FILE and compares with the outputs
 * stored there. Exit 0 when the largest difference is within the tolerance and greedy tokens match,
 * {@link Medvlm#EXIT_CHECK_FAILED} otherwise.
 */
@Command(name = "check", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Checks a model against reference outputs (timm_vit, blip_2_qformer, bloom).",
            "Runs the model in DIR on the inputs stored in FILE and compares with the outputs stored there."})
final class CheckCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "model folder: config.json and model.safetensors (or model.safetensors.index.json)")
    Path model;

    @Option(names = "--reference", required = true, paramLabel = "FILE",
            description = "reference.safetensors with the inputs and expected outputs")
    Path reference;

    @Mixin
    OutputOptions output;

    @Option(names = "--tolerance", paramLabel = "X", defaultValue = "1e-4", converter = Converters.NonNegativeDouble.class,
            description = "largest absolute difference that passes (a finite number, 0 or more)")
    double tolerance;

    private final Display display;

    CheckCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws Exception {
        CheckResult result;
        try (NDManager manager = NDManager.newBaseManager()) {
            result = ModelChecks.run(model, reference, manager);
        }
        display.out().println(output.json() ? Json.compact(json(result)) : result.describe(tolerance));
        display.out().flush();
        return result.passed(tolerance) ? Medvlm.EXIT_OK : Medvlm.EXIT_CHECK_FAILED;
    }

    /** {@code {"max_abs_diff": ..., "greedy_match": ...}}; a NaN difference (a diverged output) is null. */
    static Map<String, Object> json(CheckResult result) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("max_abs_diff", result.maxAbsDiff());
        o.put("greedy_match", result.greedyMatch());
        return o;
    }
}
