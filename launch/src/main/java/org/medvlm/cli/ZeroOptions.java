package org.medvlm.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.medvlm.launch.ModelSizing;
import org.medvlm.train.TrainSettings;
import org.medvlm.zero.Attention;
import org.medvlm.zero.Gpu;
import org.medvlm.zero.ModelSize;
import org.medvlm.zero.Offload;
import org.medvlm.zero.Optimizer;
import org.medvlm.zero.Precision;
import org.medvlm.zero.TransformerShape;
import org.medvlm.zero.Workload;
import org.medvlm.zero.ZeroStage;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The option groups of {@code zero} and its subcommands, as picocli mixins: each subcommand takes the
 * groups that mean something to it, and {@code zero} itself (the original one-command form) takes all
 * of them and refuses a group that does not apply to what it was asked.
 */
final class ZeroOptions {
    private ZeroOptions() {}

    /** Whether {@code option} was given on {@code spec}'s command line (not just defaulted). */
    static boolean given(CommandSpec spec, String option) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption(option);
    }

    /** The options of {@code names} that were given, in order. */
    static List<String> givenOf(CommandSpec spec, String... names) {
        List<String> given = new ArrayList<>();
        for (String n : names) {
            if (given(spec, n)) {
                given.add(n);
            }
        }
        return given;
    }

    /** The model: a parameter count or a description file, and its largest layer. */
    static final class Model {
        @Option(names = "--params", paramLabel = "COUNT", converter = Converters.Count.class,
                description = "Parameter count: an integer or a decimal K/M/B/T suffix (7.5B, 560M).")
        Long params;

        @Option(names = "--model", paramLabel = "NAME|FILE",
                description = "The model instead of --params: a name (bloomz-560m ... bloomz-7b1, biomedclip-vit-b16, train's"
                        + " presets tiny, tiny-gated, biomedclip-bloomz-560m/1b7/7b1) or a config file or model folder: a"
                        + " medvlm VLM (counted on the model the trainer builds), HF BLOOM, timm ViT (timm_vit), BLIP-2"
                        + " Q-Former (blip_2_qformer), a timm Hub or open_clip config.")
        Path model;

        @Option(names = "--largest-layer", paramLabel = "COUNT", converter = Converters.Count.class,
                description = "Parameters of the largest layer (ZeRO-3); --model gives it.")
        Long largestLayer;

        @Option(names = "--freeze", paramLabel = "POLICY", description = "With a VLM --model: what a run keeps frozen"
                + " (blip2, gated, none, lora, as train --freeze); frozen parameters hold weights but no gradients or"
                + " optimizer states.")
        String freeze;

        @Option(names = "--lora-r", paramLabel = "R", converter = Converters.PositiveInt.class,
                description = "LoRA rank with --freeze lora (default 8).")
        Integer loraR;

        @Option(names = "--trainable-params", paramLabel = "COUNT", converter = Converters.Count.class,
                description = "With --params: how many of them train (the rest frozen).")
        Long trainableParams;

        ModelSize size() {
            if (model != null && params != null) {
                throw new UserError("give either --params or --model, not both");
            }
            ModelSize size;
            if (model != null) {
                if (trainableParams != null) {
                    throw new UserError("--trainable-params goes with --params; with --model give --freeze");
                }
                try {
                    size = ModelSizing.read(model, freeze == null ? null : TrainSettings.Freeze.parse(freeze),
                            loraR == null ? 8 : loraR);
                } catch (java.io.IOException e) {
                    throw new UserError(e.getMessage(), e);
                }
            } else if (params != null) {
                if (freeze != null) {
                    throw new UserError("--freeze needs a VLM --model; with --params give --trainable-params");
                }
                size = ModelSize.ofParams(params);
                if (trainableParams != null) {
                    if (trainableParams > params) {
                        throw new UserError("--trainable-params " + trainableParams + " is more than --params " + params);
                    }
                    size = size.withTrainable(trainableParams);
                }
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
    }

    /** How many GPUs: data-parallel GPUs, or GPUs per node × nodes. */
    static final class Gpus {
        @Option(names = "--gpus", paramLabel = "N", converter = Converters.GpuCount.class,
                description = "Data-parallel GPUs N_d (default: --gpus-per-node × --nodes, else 1).")
        Integer gpus;

        @Option(names = "--gpus-per-node", paramLabel = "G", converter = Converters.GpuCount.class, description = "GPUs per node.")
        Integer gpusPerNode;

        @Option(names = "--nodes", paramLabel = "N", converter = Converters.GpuCount.class, description = "Nodes.")
        Integer nodes;

        /** The data-parallel degree. */
        int count() {
            if (gpusPerNode != null || nodes != null) {
                long total = (long) (gpusPerNode == null ? 1 : gpusPerNode) * (nodes == null ? 1 : nodes);
                if (gpus != null && gpus != total) {
                    throw new UserError("--gpus " + gpus + " disagrees with --gpus-per-node × --nodes = " + total);
                }
                if (total > 1_000_000) {
                    throw new UserError("--gpus-per-node × --nodes = " + total + " is beyond what is planned here (at most 1000000)");
                }
                return (int) total;
            }
            return gpus == null ? 1 : gpus;
        }

        /** {GPUs per node, nodes}, as DeepSpeed's estimators take them. */
        int[] perNodeAndNodes() {
            int n = nodes == null ? 1 : nodes;
            int g;
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
            return new int[] {g, n};
        }
    }

    /** How the model is trained, and the GPU to fit. */
    static final class Training {
        @Option(names = "--gpu", paramLabel = "GPU", converter = Converters.GpuModel.class,
                description = "GPU to fit: A100-40GB, A100-80GB, H100-80GB, V100-32GB, or a size such as 24GiB.")
        Gpu gpu;

        @Option(names = "--optimizer", defaultValue = "adam", description = "adam, adamw or sgd (with momentum).")
        Optimizer optimizer;

        @Option(names = "--precision", defaultValue = "mixed",
                description = "mixed: fp16/bf16 weights with an fp32 master copy (K=12, DeepSpeed); amp: PyTorch autocast "
                        + "over fp32 weights (4+4+8 bytes); bf16: everything in bf16.")
        Precision precision;

        @Option(names = "--keep-grads",
                description = "Gradients stay allocated between steps (zero_grad(set_to_none=False)): 16 instead of 12 bytes/param under amp.")
        boolean keepGradients;
    }

    /** One step's batch shape, for activations and logits. */
    static final class Batch {
        @Option(names = "--micro-batch", paramLabel = "B", converter = Converters.BatchSize.class, description = "Micro-batch per GPU.")
        Integer microBatch;

        @Option(names = "--seq-len", paramLabel = "S", converter = Converters.BatchSize.class, description = "Text tokens per sequence.")
        Integer seqLen;

        @Option(names = "--visual-tokens", paramLabel = "Q", converter = Converters.NonNegativeInt.class,
                description = "Visual query tokens before the text (default: from a blip-2 --model, else 0).")
        Integer visualTokens;

        @Option(names = "--hidden", paramLabel = "H", converter = Converters.Width.class, description = "Hidden size.")
        Integer hidden;

        @Option(names = "--layers", paramLabel = "L", converter = Converters.Layers.class, description = "Transformer layers.")
        Integer layers;

        @Option(names = "--heads", paramLabel = "A", converter = Converters.Width.class, description = "Attention heads.")
        Integer heads;

        @Option(names = "--vocab", paramLabel = "V", converter = Converters.Count.class,
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

        static final String[] SHAPE = {"--visual-tokens", "--hidden", "--layers", "--heads", "--vocab", "--checkpointing",
            "--attention", "--attention-dropout", "--no-attention-dropout"};

        /** The batch shape, when --micro-batch and --seq-len are given; shape options alone are a usage error. */
        Optional<Workload> workload(CommandSpec spec, ModelSize size, Precision precision) {
            if (microBatch == null && seqLen == null) {
                List<String> shape = givenOf(spec, SHAPE);
                if (!shape.isEmpty()) {
                    throw Converters.usage(spec, shape.get(0) + " needs --micro-batch and --seq-len (activation memory)");
                }
                return Optional.empty();
            }
            if (microBatch == null || seqLen == null) {
                throw Converters.usage(spec, "activation memory needs both --micro-batch and --seq-len");
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
            if (v > 100_000_000) {
                throw new UserError("--vocab " + v + " is beyond what is planned here (at most 100000000)");
            }
            int q = visualTokens != null ? visualTokens : fromModel.map(TransformerShape::visualTokens).orElse(0);
            boolean dropout = attentionDropout != null ? attentionDropout : fromModel.map(TransformerShape::attentionDropout).orElse(true);
            TransformerShape shape = new TransformerShape(h, l, a, v, q, dropout);
            return Optional.of(new Workload(microBatch, seqLen, 1, checkpointing, attention, shape, precision));
        }
    }

    /** What only a {@code ds_config.json} uses. */
    static final class DsConfig {
        @Option(names = "--stage", paramLabel = "0-3", converter = StageConverter.class,
                description = "ZeRO stage of the config (default: the recommendation for --gpu, else 2).")
        ZeroStage stage;

        @Option(names = "--offload-optimizer", description = "Optimizer offload: none, cpu, nvme.")
        Offload offloadOptimizer;

        @Option(names = "--offload-param", description = "Parameter offload (stage 3): none, cpu, nvme.")
        Offload offloadParam;

        @Option(names = "--grad-accum", paramLabel = "STEPS", converter = Converters.PositiveInt.class, defaultValue = "1",
                description = "Gradient accumulation steps.")
        int gradAccum;

        @Option(names = "--train-batch", paramLabel = "N", converter = Converters.PositiveInt.class,
                description = "train_batch_size; refused unless micro-batch × grad-accum × GPUs.")
        Integer trainBatch;

        @Option(names = "--lr", paramLabel = "RATE", defaultValue = "1e-4", converter = Converters.LearningRate.class,
                description = "Learning rate (more than 0, at most 10).")
        double learningRate;

        @Option(names = "--fp16", description = "fp16 with loss scaling instead of bf16 (precision mixed).")
        boolean fp16;

        static final String[] NAMES = {"--stage", "--offload-optimizer", "--offload-param", "--grad-accum", "--train-batch", "--lr", "--fp16"};
    }

    /** DeepSpeed's estimator options. */
    static final class Estimate {
        @Option(names = "--buffer-factor", paramLabel = "F", defaultValue = "1.5", converter = Converters.BufferFactor.class,
                description = "DeepSpeed's additional_buffer_factor (more than 0, at most 100).")
        double bufferFactor;

        static final String[] NAMES = {"--buffer-factor"};
    }

    static final class StageConverter implements CommandLine.ITypeConverter<ZeroStage> {
        @Override
        public ZeroStage convert(String value) {
            try {
                return ZeroStage.of(Integer.parseInt(value.strip()));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException(org.medvlm.zero.Units.quote(value) + " is not a stage (0, 1, 2 or 3)");
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
