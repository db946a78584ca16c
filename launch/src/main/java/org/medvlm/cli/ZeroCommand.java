package org.medvlm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.medvlm.zero.Attention;
import org.medvlm.zero.DeepSpeedConfig;
import org.medvlm.zero.DeepSpeedEstimate;
import org.medvlm.zero.DeepSpeedEstimator;
import org.medvlm.zero.Gpu;
import org.medvlm.zero.ModelDescriptions;
import org.medvlm.zero.ModelSize;
import org.medvlm.zero.Offload;
import org.medvlm.zero.Optimizer;
import org.medvlm.zero.PlanRequest;
import org.medvlm.zero.Precision;
import org.medvlm.zero.StagePlan;
import org.medvlm.zero.TransformerShape;
import org.medvlm.zero.Units;
import org.medvlm.zero.Workload;
import org.medvlm.zero.ZeroChart;
import org.medvlm.zero.ZeroPlan;
import org.medvlm.zero.ZeroPlanner;
import org.medvlm.zero.ZeroStage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code medvlm zero}: per-GPU memory of ZeRO stages 0–3 (the ZeRO paper's model states, plus
 * activations and the output layer when a batch shape is given), a verdict and a recommendation for a
 * named GPU, DeepSpeed's own estimators ({@code --deepspeed-estimate}), and a {@code ds_config.json}.
 */
@Command(name = "zero", mixinStandardHelpOptions = true, sortOptions = false, showDefaultValues = true,
        description = {"Plans ZeRO memory per GPU: model states per stage (ZeRO paper), activations and logits, "
                + "a fit verdict and recommendation, DeepSpeed's estimators, a ds_config.json.",
            "Sizes: the paper's GB are 10^9 bytes; DeepSpeed's \"GB\" are GiB (2^30 bytes); JSON gives bytes."})
final class ZeroCommand implements Callable<Integer> {

    private final Display display;

    @Option(names = "--params", paramLabel = "COUNT", converter = CountConverter.class,
            description = "Parameter count: an integer or a decimal K/M/B/T suffix (7.5B, 560M).")
    Long params;

    @Option(names = "--model", paramLabel = "config.json",
            description = "Model description instead of --params: HF BLOOM config.json, timm ViT (model_type timm_vit), "
                    + "BLIP-2 Q-Former (blip_2_qformer) or the whole VLM (blip-2).")
    Path model;

    @Option(names = "--gpus", paramLabel = "N", converter = PositiveInt.class,
            description = "Data-parallel GPUs N_d (default: --gpus-per-node × --nodes, else 1).")
    Integer gpus;

    @Option(names = "--gpu", paramLabel = "GPU", converter = GpuConverter.class,
            description = "GPU to fit: A100-40GB, A100-80GB, H100-80GB, V100-32GB, or a size such as 24GiB.")
    Gpu gpu;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam, adamw or sgd (with momentum).")
    Optimizer optimizer;

    @Option(names = "--precision", defaultValue = "mixed",
            description = "mixed: fp16/bf16 weights with an fp32 master copy (K=12, DeepSpeed); amp: PyTorch autocast "
                    + "over fp32 weights (4+4+8 bytes); bf16: everything in bf16.")
    Precision precision;

    @Option(names = "--micro-batch", paramLabel = "B", converter = PositiveInt.class, description = "Micro-batch per GPU.")
    Integer microBatch;

    @Option(names = "--seq-len", paramLabel = "S", converter = PositiveInt.class, description = "Text tokens per sequence.")
    Integer seqLen;

    @Option(names = "--visual-tokens", paramLabel = "Q", converter = NonNegativeInt.class,
            description = "Visual query tokens before the text (default: from a blip-2 --model, else 0).")
    Integer visualTokens;

    @Option(names = "--hidden", paramLabel = "H", converter = PositiveInt.class, description = "Hidden size.")
    Integer hidden;

    @Option(names = "--layers", paramLabel = "L", converter = PositiveInt.class, description = "Transformer layers.")
    Integer layers;

    @Option(names = "--heads", paramLabel = "A", converter = PositiveInt.class, description = "Attention heads.")
    Integer heads;

    @Option(names = "--vocab", paramLabel = "V", converter = CountConverter.class,
            description = "Vocabulary size, for the logits and loss (BLOOM: 250880).")
    Long vocab;

    @Option(names = "--checkpointing", description = "Full activation checkpointing.")
    boolean checkpointing;

    @Option(names = "--attention", defaultValue = "eager",
            description = "Bytes kept per attention score: eager (softmax output, 4 under amp's fp32 softmax else 2, + its "
                    + "16-bit copy 2 + dropout mask 1 if on: 5 = Korthikanti for mixed), korthikanti (always 5), fused (0: flash/SDPA).")
    Attention attention;

    @Option(names = "--attention-dropout", negatable = true,
            description = "Attention dropout on (a 1-byte mask per score); default: from --model, else on.")
    Boolean attentionDropout;

    @Option(names = "--keep-grads",
            description = "Gradients stay allocated between steps (zero_grad(set_to_none=False)): 16 instead of 12 bytes/param under amp.")
    boolean keepGradients;

    @Option(names = "--grad-accum", paramLabel = "STEPS", converter = PositiveInt.class, defaultValue = "1",
            description = "Gradient accumulation steps (for --ds-config).")
    int gradAccum;

    @Option(names = "--deepspeed-estimate",
            description = "Print DeepSpeed's estimate_zero2/zero3_model_states_mem_needs for every offload option.")
    boolean deepSpeedEstimate;

    @Option(names = "--largest-layer", paramLabel = "COUNT", converter = CountConverter.class,
            description = "Parameters of the largest layer (ZeRO-3); --model gives it.")
    Long largestLayer;

    @Option(names = "--gpus-per-node", paramLabel = "G", converter = PositiveInt.class, description = "GPUs per node (DeepSpeed estimate).")
    Integer gpusPerNode;

    @Option(names = "--nodes", paramLabel = "N", converter = PositiveInt.class, description = "Nodes (DeepSpeed estimate).")
    Integer nodes;

    @Option(names = "--buffer-factor", paramLabel = "F", defaultValue = "1.5",
            description = "DeepSpeed's additional_buffer_factor.")
    double bufferFactor;

    @Option(names = "--json", description = "Print one JSON object (bytes) instead of text.")
    boolean json;

    @Option(names = "--png", paramLabel = "FILE", description = "Save the stacked bar chart as a PNG.")
    Path png;

    @Option(names = "--ds-config", paramLabel = "FILE",
            description = "Write a DeepSpeed ds_config.json for the recommended configuration (or --stage).")
    Path dsConfig;

    @Option(names = "--stage", paramLabel = "0-3", converter = StageConverter.class,
            description = "Stage for --ds-config (default: the recommendation, else 2).")
    ZeroStage stage;

    @Option(names = "--offload-optimizer", description = "Optimizer offload for --ds-config: none, cpu, nvme.")
    Offload offloadOptimizer;

    @Option(names = "--offload-param", description = "Parameter offload for --ds-config (stage 3): none, cpu, nvme.")
    Offload offloadParam;

    @Option(names = "--train-batch", paramLabel = "N", converter = PositiveInt.class,
            description = "train_batch_size for --ds-config; refused unless micro-batch × grad-accum × GPUs.")
    Integer trainBatch;

    @Option(names = "--lr", paramLabel = "RATE", defaultValue = "1e-4", description = "Learning rate for --ds-config.")
    double learningRate;

    @Option(names = "--fp16", description = "fp16 with loss scaling instead of bf16 in --ds-config (precision mixed).")
    boolean fp16;

    @Option(names = "--require-fit", description = "Exit with 3 when no stage fits the --gpu on the GPUs asked for.")
    boolean requireFit;

    ZeroCommand(Display display) {
        this.display = display;
    }

    @Override
    public Integer call() throws Exception {
        ModelSize size = modelSize();
        if (deepSpeedEstimate) {
            return estimate(size);
        }
        int n = gpuCount();
        PlanRequest request = PlanRequest.of(size, n).withPrecision(precision).withOptimizer(optimizer)
                .withGradientsFreed(!keepGradients);
        Optional<Workload> workload = workload(size);
        if (workload.isPresent()) {
            request = request.withWorkload(workload.get());
        }
        if (gpu != null) {
            request = request.withGpu(gpu);
        }
        ZeroPlan plan = ZeroPlanner.plan(request);

        if (png != null) {
            ZeroChart.writePng(plan.chart(), png);
        }
        if (dsConfig != null) {
            writeDsConfig(plan);
        }
        if (json) {
            display.out().println(Json.compact(planJson(plan)));
            display.out().flush();
        } else if (display.rich()) {
            // one value, so the notebook's `last` is the plan; its renderer draws plan.table() and plan.chart()
            plan.recommendation().ifPresent(r -> display.out().println("Recommendation: " + r.reason()));
            display.show(plan);
        } else {
            display.show(plan.table());
            display.out().println("GB = 10^9 bytes (the ZeRO paper's unit), GiB = 2^30 bytes (what DeepSpeed prints as \"GB\").");
            plan.recommendation().ifPresent(r -> display.out().println("Recommendation: " + r.reason()));
            if (png != null) {
                display.out().println("chart written to " + png);
            }
            if (dsConfig != null) {
                display.out().println("DeepSpeed config written to " + dsConfig);
            }
            display.out().flush();
        }
        if (requireFit && gpu != null && plan.stages().stream().noneMatch(s -> plan.fits(s).orElse(false))) {
            return Medvlm.EXIT_DOES_NOT_FIT;
        }
        return Medvlm.EXIT_OK;
    }

    private ModelSize modelSize() {
        if (model != null && params != null) {
            throw new UserError("give either --params or --model, not both");
        }
        ModelSize size;
        if (model != null) {
            size = ModelDescriptions.read(model);
        } else if (params != null) {
            size = ModelSize.ofParams(params);
        } else {
            throw new UserError("give the model size: --params COUNT (e.g. 7.5B) or --model config.json");
        }
        if (largestLayer != null) {
            if (largestLayer > size.params()) {
                throw new UserError("--largest-layer " + largestLayer + " is larger than the model's " + size.params() + " parameters");
            }
            size = size.withLargestLayer(largestLayer);
        }
        return size;
    }

    private int gpuCount() {
        if (gpusPerNode != null || nodes != null) {
            long total = (long) (gpusPerNode == null ? 1 : gpusPerNode) * (nodes == null ? 1 : nodes);
            if (gpus != null && gpus != total) {
                throw new UserError("--gpus " + gpus + " disagrees with --gpus-per-node × --nodes = " + total);
            }
            if (total > Integer.MAX_VALUE) {
                throw new UserError("--gpus-per-node × --nodes is too large");
            }
            return (int) total;
        }
        return gpus == null ? 1 : gpus;
    }

    private Optional<Workload> workload(ModelSize size) {
        boolean shapeFlags = hidden != null || layers != null || heads != null || vocab != null || visualTokens != null
                || attentionDropout != null;
        if (microBatch == null && seqLen == null) {
            if (checkpointing || shapeFlags) {
                throw new UserError("activation memory needs --micro-batch and --seq-len");
            }
            return Optional.empty();
        }
        if (microBatch == null || seqLen == null) {
            throw new UserError("activation memory needs both --micro-batch and --seq-len");
        }
        Optional<TransformerShape> fromModel = size.shape();
        Integer h = hidden != null ? hidden : fromModel.map(TransformerShape::hidden).orElse(null);
        Integer l = layers != null ? layers : fromModel.map(TransformerShape::layers).orElse(null);
        Integer a = heads != null ? heads : fromModel.map(TransformerShape::heads).orElse(null);
        if (h == null || l == null || a == null) {
            List<String> missing = new ArrayList<>();
            if (h == null) missing.add("--hidden");
            if (l == null) missing.add("--layers");
            if (a == null) missing.add("--heads");
            throw new UserError("activation memory needs the model shape: give " + String.join(", ", missing) + " (or --model config.json)");
        }
        long v = vocab != null ? vocab : fromModel.map(TransformerShape::vocab).orElse(0L);
        int q = visualTokens != null ? visualTokens : fromModel.map(TransformerShape::visualTokens).orElse(0);
        boolean dropout = attentionDropout != null ? attentionDropout : fromModel.map(TransformerShape::attentionDropout).orElse(true);
        TransformerShape shape = new TransformerShape(h, l, a, v, q, dropout);
        return Optional.of(new Workload(microBatch, seqLen, gradAccum, checkpointing, attention, shape, precision));
    }

    private Integer estimate(ModelSize size) {
        int g;
        int n = nodes == null ? 1 : nodes;
        if (gpusPerNode != null) {
            g = gpusPerNode;
            if (gpus != null && (long) g * n != gpus) {
                throw new UserError("--gpus " + gpus + " disagrees with --gpus-per-node × --nodes = " + ((long) g * n));
            }
        } else {
            g = gpus == null ? 1 : gpus;
            if (nodes != null && gpus != null) {
                if (gpus % n != 0) {
                    throw new UserError("--gpus " + gpus + " does not divide into --nodes " + n);
                }
                g = gpus / n;
            }
        }
        if (!(bufferFactor > 0) || Double.isInfinite(bufferFactor)) {
            throw new UserError("--buffer-factor must be positive, not " + bufferFactor);
        }
        long p = size.params();
        long l = size.largestLayerParams();
        if (l <= 0) {
            throw new UserError("--deepspeed-estimate needs the largest layer for ZeRO-3: give --largest-layer COUNT (or --model config.json)");
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

    private Map<String, Object> planJson(ZeroPlan plan) {
        PlanRequest r = plan.request();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("params", r.model().params());
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

    private void writeDsConfig(ZeroPlan plan) throws java.io.IOException {
        StagePlan chosen;
        if (stage != null || offloadOptimizer != null || offloadParam != null) {
            ZeroStage s = stage != null ? stage : ZeroStage.STAGE_2;
            chosen = ZeroPlanner.stage(plan.request(), s, offloadOptimizer == null ? Offload.NONE : offloadOptimizer,
                    offloadParam == null ? Offload.NONE : offloadParam);
        } else {
            chosen = plan.recommendation().flatMap(rec -> rec.choice().filter(c -> rec.gpus() == plan.request().gpus()))
                    .orElse(plan.stage(ZeroStage.STAGE_2));
        }
        int mb = microBatch == null ? 1 : microBatch;
        DeepSpeedConfig config = DeepSpeedConfig.forPlan(plan, chosen, mb, gradAccum);
        config = config.withFp16(fp16).withLearningRate(learningRate);
        if (trainBatch != null) {
            config = config.withTrainBatchSize(trainBatch);
        }
        config.write(dsConfig);
    }

    /** Counts with decimal K/M/B/T suffixes; a bad one is a usage error naming the option. */
    static final class CountConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.parseCount(value, "count");
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage().replaceFirst("^count: ", ""));
            }
        }
    }

    static final class PositiveInt implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int v;
            try {
                v = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number");
            }
            if (v <= 0) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be at least 1");
            }
            return v;
        }
    }

    static final class NonNegativeInt implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int v;
            try {
                v = Integer.parseInt(value.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a whole number");
            }
            if (v < 0) {
                throw new CommandLine.TypeConversionException("'" + value + "' must not be negative");
            }
            return v;
        }
    }

    static final class GpuConverter implements CommandLine.ITypeConverter<Gpu> {
        @Override
        public Gpu convert(String value) {
            try {
                return Gpu.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage().replaceFirst("^--gpu: ", ""));
            }
        }
    }

    static final class StageConverter implements CommandLine.ITypeConverter<ZeroStage> {
        @Override
        public ZeroStage convert(String value) {
            try {
                return ZeroStage.of(Integer.parseInt(value.strip()));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a stage (0, 1, 2 or 3)");
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
