package org.medvlm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.medvlm.zero.DeepSpeedConfig;
import org.medvlm.zero.DeepSpeedEstimate;
import org.medvlm.zero.DeepSpeedEstimator;
import org.medvlm.zero.ModelSize;
import org.medvlm.zero.Offload;
import org.medvlm.zero.PlanRequest;
import org.medvlm.zero.StagePlan;
import org.medvlm.zero.Workload;
import org.medvlm.zero.ZeroChart;
import org.medvlm.zero.ZeroPlan;
import org.medvlm.zero.ZeroPlanner;
import org.medvlm.zero.ZeroStage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code medvlm zero}: per-GPU memory of ZeRO stages 0–3 (the ZeRO paper's model states, plus
 * activations and the output layer when a batch shape is given), a verdict and a recommendation for a
 * named GPU, DeepSpeed's own estimators, and a {@code ds_config.json}. Three subcommands, one per job:
 * <pre>
 * zero plan      MODEL [GPUS] [BATCH] [--gpu GPU] [--precision P] [--optimizer O] [--require-fit] [--json] [--png FILE]
 * zero estimate  MODEL [GPUS] [--buffer-factor F] [--json]
 * zero ds-config FILE MODEL [GPUS] [BATCH] [--gpu GPU] [--stage S] [--offload-...] [--grad-accum N] [--train-batch N] [--lr R] [--fp16] [--json]
 * </pre>
 * with MODEL = {@code --params COUNT | --model config.json [--largest-layer COUNT]} and GPUS =
 * {@code --gpus N | --gpus-per-node G [--nodes N]}. The one-command form of earlier releases stays:
 * {@code zero --params 7.5B --gpus 64} plans, {@code zero --deepspeed-estimate ...} estimates, and
 * {@code zero ... --ds-config FILE} plans and writes the config; an option that does not apply to what
 * it was asked (say {@code --stage} without {@code --ds-config}) is a usage error, never ignored.
 */
@Command(name = "zero", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Plans ZeRO memory per GPU: model states per stage (ZeRO paper), activations and logits, "
                + "a fit verdict and recommendation, DeepSpeed's estimators, a ds_config.json.",
            "Subcommands: plan, estimate, ds-config. Without one, the options below give the same (--deepspeed-estimate, "
                + "--ds-config FILE).",
            "Sizes: the paper's GB are 10^9 bytes; DeepSpeed's \"GB\" are GiB (2^30 bytes); JSON gives bytes."},
        subcommands = {ZeroCommand.Plan.class, ZeroCommand.Estimate.class, ZeroCommand.DsConfigCommand.class})
final class ZeroCommand implements Callable<Integer> {

    private final Display display;

    @Spec
    CommandSpec spec;

    @Mixin ZeroOptions.Model model;
    @Mixin ZeroOptions.Gpus gpus;
    @Mixin ZeroOptions.Training training;
    @Mixin ZeroOptions.Batch batch;

    @Option(names = "--require-fit", description = "Exit with 3 when no stage fits the --gpu on the GPUs asked for.")
    boolean requireFit;

    @Mixin OutputOptions.WithPng output;

    @Option(names = "--deepspeed-estimate",
            description = "Print DeepSpeed's estimate_zero2/zero3_model_states_mem_needs for every offload option (= zero estimate).")
    boolean deepSpeedEstimate;

    @Mixin ZeroOptions.Estimate estimateOptions;

    @Option(names = "--ds-config", paramLabel = "FILE",
            description = "Also write a DeepSpeed ds_config.json for the recommended configuration (or --stage) (= zero ds-config).")
    Path dsConfig;

    @Mixin ZeroOptions.DsConfig dsOptions;

    ZeroCommand(Display display) {
        this.display = display;
    }

    /** Options that only a plan uses (they mean nothing to DeepSpeed's estimators). */
    private static final String[] PLAN_ONLY = {"--gpu", "--optimizer", "--precision", "--keep-grads", "--require-fit", "--png",
        "--micro-batch", "--seq-len", "--ds-config"};

    @Override
    public Integer call() throws Exception {
        if (deepSpeedEstimate) {
            refuse(ZeroOptions.givenOf(spec, concat(PLAN_ONLY, ZeroOptions.Batch.SHAPE, ZeroOptions.DsConfig.NAMES)), "does not apply to --deepspeed-estimate");
            return estimate(display, model, gpus, estimateOptions, output.json());
        }
        refuse(ZeroOptions.givenOf(spec, ZeroOptions.Estimate.NAMES), "applies only with --deepspeed-estimate (or 'zero estimate')");
        if (dsConfig == null) {
            refuse(ZeroOptions.givenOf(spec, ZeroOptions.DsConfig.NAMES), "applies only with --ds-config FILE (or 'zero ds-config FILE')");
        }
        output.checkTargets();
        if (dsConfig != null) {
            OutputOptions.check("--ds-config", dsConfig);
        }
        ZeroPlan plan = plan(spec, model, gpus, training, batch, requireFit);
        // every output is checked before the first is written
        Optional<DeepSpeedConfig> written = dsConfig == null ? Optional.empty() : Optional.of(dsConfig(plan, dsOptions, batch));
        if (output.png() != null) {
            ZeroChart.writePng(plan.chart(), output.png());
        }
        if (written.isPresent()) {
            written.get().write(dsConfig);
        }
        if (output.json()) {
            display.out().println(Json.compact(planJson(plan)));
            display.out().flush();
        } else {
            showPlan(display, plan);
            if (output.png() != null) {
                display.out().println("chart written to " + output.png());
            }
            written.ifPresent(c -> display.out().println(dsConfigLine(dsConfig, c)));
            display.out().flush();
        }
        return fitCode(plan, requireFit);
    }

    private void refuse(List<String> given, String why) {
        if (!given.isEmpty()) {
            throw Converters.usage(spec, given.get(0) + " " + why);
        }
    }

    private static String[] concat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] p : parts) {
            all.addAll(List.of(p));
        }
        return all.toArray(String[]::new);
    }

    /**
     * Options belong after the subcommand ({@code zero plan --params 7.5B}); given before it they would
     * be read by {@code zero} and silently unused.
     */
    static void noParentOptions(ZeroCommand parent, CommandSpec sub) {
        var parsed = parent.spec.commandLine().getParseResult();
        if (parsed != null && !parsed.matchedOptions().isEmpty()) {
            throw Converters.usage(sub, parsed.matchedOptions().get(0).longestName() + " goes after the subcommand: medvlm zero "
                    + sub.name() + " " + parsed.matchedOptions().get(0).longestName() + " ...");
        }
    }

    /** {@code zero plan}: the memory per GPU of every stage, a verdict and a recommendation for --gpu. */
    @Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
            description = {"Per-GPU memory of ZeRO stages 0-3: model states (ZeRO paper), with --micro-batch and --seq-len also "
                    + "activations, logits and the peak; with --gpu a verdict per stage and a recommendation.",
                "Sizes: the paper's GB are 10^9 bytes; GiB are 2^30 bytes; JSON gives bytes."})
    static final class Plan implements Callable<Integer> {
        private final Display display;
        @Spec CommandSpec spec;
        @ParentCommand ZeroCommand parent;
        @Mixin ZeroOptions.Model model;
        @Mixin ZeroOptions.Gpus gpus;
        @Mixin ZeroOptions.Training training;
        @Mixin ZeroOptions.Batch batch;

        @Option(names = "--require-fit", description = "Exit with 3 when no stage fits the --gpu on the GPUs asked for.")
        boolean requireFit;

        @Mixin OutputOptions.WithPng output;

        Plan(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws Exception {
            noParentOptions(parent, spec);
            output.checkTargets();
            ZeroPlan plan = plan(spec, model, gpus, training, batch, requireFit);
            if (output.png() != null) {
                ZeroChart.writePng(plan.chart(), output.png());
            }
            if (output.json()) {
                display.out().println(Json.compact(planJson(plan)));
            } else {
                showPlan(display, plan);
                if (output.png() != null) {
                    display.out().println("chart written to " + output.png());
                }
            }
            display.out().flush();
            return fitCode(plan, requireFit);
        }
    }

    /** {@code zero estimate}: DeepSpeed's own estimators, byte-exact and in its layout. */
    @Command(name = "estimate", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
            description = {"DeepSpeed's estimate_zero2/zero3_model_states_mem_needs for every offload option, byte-exact "
                    + "and in DeepSpeed's layout (its \"GB\" are GiB). ZeRO-3 needs the largest layer: --largest-layer or --model."})
    static final class Estimate implements Callable<Integer> {
        private final Display display;
        @Spec CommandSpec spec;
        @ParentCommand ZeroCommand parent;
        @Mixin ZeroOptions.Model model;
        @Mixin ZeroOptions.Gpus gpus;
        @Mixin ZeroOptions.Estimate options;
        @Mixin OutputOptions output;

        Estimate(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() {
            noParentOptions(parent, spec);
            return estimate(display, model, gpus, options, output.json());
        }
    }

    /** {@code zero ds-config FILE}: a DeepSpeed config for the recommended (or the given) stage. */
    @Command(name = "ds-config", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
            description = {"Writes a DeepSpeed ds_config.json: the stage --gpu's recommendation picks (or --stage, else 2), "
                    + "train_batch_size = micro-batch × grad-accum × GPUs, and the settings whose defaults changed between "
                    + "DeepSpeed versions (pin_memory, gradient_clipping, steps_per_print) written out."})
    static final class DsConfigCommand implements Callable<Integer> {
        private final Display display;
        @Spec CommandSpec spec;
        @ParentCommand ZeroCommand parent;

        @Parameters(index = "0", paramLabel = "FILE", description = "The ds_config.json to write (a regular file; replaced atomically).")
        Path file;

        @Mixin ZeroOptions.Model model;
        @Mixin ZeroOptions.Gpus gpus;
        @Mixin ZeroOptions.Training training;
        @Mixin ZeroOptions.Batch batch;
        @Mixin ZeroOptions.DsConfig options;
        @Mixin OutputOptions output;

        DsConfigCommand(Display display) {
            this.display = display;
        }

        @Override
        public Integer call() throws Exception {
            noParentOptions(parent, spec);
            OutputOptions.check(null, file);
            ZeroPlan plan = plan(spec, model, gpus, training, batch, false);
            DeepSpeedConfig config = dsConfig(plan, options, batch);
            config.write(file);
            if (output.json()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("file", file.toString());
                o.put("stage", config.stage().number());
                o.put("offload_optimizer", config.offloadOptimizer().device());
                o.put("offload_param", config.offloadParam().device());
                o.put("train_batch_size", config.trainBatch());
                display.out().println(Json.compact(o));
            } else {
                display.out().println(dsConfigLine(file, config));
            }
            display.out().flush();
            return Medvlm.EXIT_OK;
        }
    }

    // --- what the forms share ---

    static ZeroPlan plan(CommandSpec spec, ZeroOptions.Model model, ZeroOptions.Gpus gpus, ZeroOptions.Training training,
                         ZeroOptions.Batch batch, boolean requireFit) {
        if (requireFit && training.gpu == null) {
            throw Converters.usage(spec, "--require-fit needs --gpu GPU (the GPU to fit)");
        }
        ModelSize size = model.size();
        int n = gpus.count();
        PlanRequest request = PlanRequest.of(size, n).withPrecision(training.precision).withOptimizer(training.optimizer)
                .withGradientsFreed(!training.keepGradients);
        Optional<Workload> workload = batch.workload(spec, size, training.precision);
        if (workload.isPresent()) {
            request = request.withWorkload(workload.get());
        }
        if (training.gpu != null) {
            request = request.withGpu(training.gpu);
        }
        return ZeroPlanner.plan(request);
    }

    static void showPlan(Display display, ZeroPlan plan) {
        if (display.rich()) {
            // one value, so the notebook's `last` is the plan; its renderer draws plan.table() and plan.chart()
            plan.recommendation().ifPresent(r -> display.out().println("Recommendation: " + r.reason()));
            display.show(plan);
        } else {
            display.show(plan.table());
            display.out().println("GB = 10^9 bytes (the ZeRO paper's unit), GiB = 2^30 bytes (what DeepSpeed prints as \"GB\").");
            plan.recommendation().ifPresent(r -> display.out().println("Recommendation: " + r.reason()));
        }
    }

    static int fitCode(ZeroPlan plan, boolean requireFit) {
        if (requireFit && plan.stages().stream().noneMatch(s -> plan.fits(s).orElse(false))) {
            return Medvlm.EXIT_DOES_NOT_FIT;
        }
        return Medvlm.EXIT_OK;
    }

    static String dsConfigLine(Path file, DeepSpeedConfig c) {
        return "DeepSpeed config written to " + file + " (ZeRO stage " + c.stage().number() + ", train_batch_size "
                + c.trainBatch() + " = " + c.microBatch() + " × " + c.gradientAccumulation() + " × " + c.worldSize() + ")";
    }

    static Integer estimate(Display display, ZeroOptions.Model model, ZeroOptions.Gpus gpus, ZeroOptions.Estimate options, boolean json) {
        ModelSize size = model.size();
        int[] gn = gpus.perNodeAndNodes();
        int g = gn[0];
        int n = gn[1];
        double bufferFactor = options.bufferFactor;
        long p = size.params();
        long l = size.largestLayerParams();
        if (l <= 0) {
            throw new UserError("DeepSpeed's ZeRO-3 estimate needs the largest layer: give --largest-layer COUNT (or --model config.json)");
        }
        List<DeepSpeedEstimate> z2 = DeepSpeedEstimator.zero2All(p, g, n, bufferFactor);
        List<DeepSpeedEstimate> z3 = DeepSpeedEstimator.zero3All(p, l, g, n, bufferFactor);
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("zero2", z2.stream().map(e -> estimateJson(e, false)).toList());
            o.put("zero3", z3.stream().map(e -> estimateJson(e, true)).toList());
            o.put("params", p);
            o.put("largest_layer_params", l);
            o.put("gpus_per_node", g);
            o.put("nodes", n);
            o.put("additional_buffer_factor", bufferFactor);
            o.put("units", "bytes; DeepSpeed prints bytes/2^30 as \"GB\"");
            display.out().println(Json.compact(o));
        } else {
            display.out().print(DeepSpeedEstimator.printZero2(p, g, n, bufferFactor));
            display.out().print(DeepSpeedEstimator.printZero3(p, l, g, n, bufferFactor));
            display.out().println("(DeepSpeed's \"GB\" above are GiB, 2^30 bytes; CPU is per node, GPU per GPU.)");
            if (display.rich()) {
                display.show(DeepSpeedEstimator.table(z2));
                display.show(DeepSpeedEstimator.table(z3));
            }
        }
        display.out().flush();
        return Medvlm.EXIT_OK;
    }

    private static Map<String, Object> estimateJson(DeepSpeedEstimate e, boolean zero3) {
        Map<String, Object> o = new LinkedHashMap<>();
        if (zero3) {
            o.put("offload_param", e.offloadParam().device());
        }
        o.put("offload_optimizer", e.offloadOptimizer().device());
        if (zero3) {
            o.put("zero_init", e.zeroInit().orElse(false));
        }
        o.put("cpu_bytes_per_node", e.cpuBytesPerNode());
        o.put("gpu_bytes_per_gpu", e.gpuBytesPerGpu());
        return o;
    }

    static Map<String, Object> planJson(ZeroPlan plan) {
        PlanRequest r = plan.request();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("params", r.model().params());
        if (r.model().hasFrozen()) {
            o.put("trainable_params", r.model().trainableParams());
        }
        o.put("gpus", r.gpus());
        List<Map<String, Object>> stages = new ArrayList<>();
        for (StagePlan s : plan.stages()) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("stage", s.stage().number());
            st.put("weights_bytes", s.weightsBytes());
            st.put("gradients_bytes", s.gradientsBytes());
            st.put("optimizer_bytes", s.optimizerBytes());
            st.put("model_states_bytes", s.modelStatesBytes());
            st.put("communication_elements", s.communicationElements());
            if (plan.hasWorkload()) {
                st.put("activation_bytes", s.activationBytes());
                st.put("output_layer_bytes", s.outputLayerBytes());
                st.put("between_steps_bytes", s.betweenStepsBytes());
                st.put("peak_bytes", s.peakBytes());
            }
            plan.fits(s).ifPresent(f -> st.put("fits", f));
            stages.add(st);
        }
        o.put("stages", stages);
        plan.recommendation().ifPresent(rec -> o.put("recommendation", rec.reason()));
        o.put("model", r.model().name());
        if (r.model().largestLayerParams() > 0) {
            o.put("largest_layer_params", r.model().largestLayerParams());
        }
        o.put("precision", r.precision().name().toLowerCase(Locale.ROOT));
        o.put("optimizer", r.optimizer().name().toLowerCase(Locale.ROOT));
        r.gpu().ifPresent(g -> {
            Map<String, Object> gj = new LinkedHashMap<>();
            gj.put("name", g.name());
            gj.put("capacity_bytes", g.capacityBytes());
            o.put("gpu", gj);
        });
        return o;
    }

    /** The config for the recommended (or asked-for) stage; DeepSpeed's batch rules are checked here. */
    static DeepSpeedConfig dsConfig(ZeroPlan plan, ZeroOptions.DsConfig options, ZeroOptions.Batch batch) {
        StagePlan chosen;
        if (options.stage != null || options.offloadOptimizer != null || options.offloadParam != null) {
            ZeroStage s = options.stage != null ? options.stage : ZeroStage.STAGE_2;
            chosen = ZeroPlanner.stage(plan.request(), s, options.offloadOptimizer == null ? Offload.NONE : options.offloadOptimizer,
                    options.offloadParam == null ? Offload.NONE : options.offloadParam);
        } else {
            chosen = plan.recommendation().flatMap(rec -> rec.choice().filter(c -> rec.gpus() == plan.request().gpus()))
                    .orElse(plan.stage(ZeroStage.STAGE_2));
        }
        int mb = batch.microBatch == null ? 1 : batch.microBatch;
        DeepSpeedConfig config = DeepSpeedConfig.forPlan(plan, chosen, mb, options.gradAccum);
        config = config.withFp16(options.fp16).withLearningRate(options.learningRate);
        if (options.trainBatch != null) {
            config = config.withTrainBatchSize(options.trainBatch);
        }
        return config;
    }
}
