package org.medvlm.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The training options passed through verbatim to the Python trainer ({@code --steps N --seed S --lr X --batch-size B
 * --grad-accum K --warmup-steps W --weight-decay D --grad-clip C --freeze P --lora-r R --lora-alpha A --lora-dropout P
 * --eval-every E --checkpoint-every C --keep-checkpoints K --resume}), plus {@code --model INIT_DIR --data
 * PREPARED_DIR}. Launching reads a few of them (batch shape for the plan and ds_config.json) and adds the launch-only
 * ones itself ({@code --run-dir}, {@code --engine}, {@code --device}, ...), which must not be given here.
 *
 * @param args the options, each value its own element ({@code "--lr", "1e-4"})
 */
public record TrainerArgs(List<String> args) {
    /** Options the trainer takes without a value. */
    static final Set<String> FLAGS = Set.of("--resume", "--checkpointing");
    /** Options launching owns; a caller passing them would contradict the launch settings. */
    static final Set<String> OWNED = Set.of("--run-dir", "--engine", "--device", "--precision", "--zero",
            "--deepspeed-config", "--checkpointing", "--probe", "--local_rank", "--local-rank");
    static final Set<String> KNOWN = Set.of("--model", "--data", "--steps", "--seed", "--lr", "--batch-size",
            "--grad-accum", "--warmup-steps", "--weight-decay", "--grad-clip", "--freeze", "--lora-r", "--lora-alpha",
            "--lora-dropout", "--eval-every", "--eval-limit", "--samples", "--checkpoint-every", "--keep-checkpoints",
            "--resume");

    public TrainerArgs {
        args = List.copyOf(args);
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (OWNED.contains(name)) {
                throw new IllegalArgumentException("trainer option " + name + " is set by the launch options, not passed through");
            }
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown trainer option '" + a + "'");
            }
            if (!FLAGS.contains(name) && !a.contains("=")) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("trainer option " + name + " needs a value");
                }
                i++;
            }
        }
    }

    public static TrainerArgs of(String... args) {
        return new TrainerArgs(List.of(args));
    }

    /** The value of {@code --name}, the last one where given twice. */
    public Optional<String> value(String name) {
        String found = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name) && i + 1 < args.size()) {
                found = args.get(++i);
            } else if (a.startsWith(name + "=")) {
                found = a.substring(name.length() + 1);
            }
        }
        return Optional.ofNullable(found);
    }

    public boolean flag(String name) {
        return args.contains(name);
    }

    public int intValue(String name, int dflt) {
        return value(name).map(v -> parse(name, v)).orElse(dflt);
    }

    public double doubleValue(String name, double dflt) {
        return value(name).map(v -> {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("trainer option " + name + ": '" + v + "' is not a number");
            }
        }).orElse(dflt);
    }

    private static int parse(String name, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("trainer option " + name + ": '" + v + "' is not a whole number");
        }
    }

    /** The same options with {@code --name value} set (replacing any given) and paths made absolute. */
    public TrainerArgs with(String name, String value) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals(name)) {
                i++;
            } else if (!a.startsWith(name + "=")) {
                out.add(a);
            }
        }
        out.add(name);
        out.add(value);
        return new TrainerArgs(out);
    }

    public TrainerArgs withPath(String name, Path value) {
        return with(name, value.toAbsolutePath().normalize().toString());
    }

    // the defaults of python3 -m medvlm.train, which the plan uses when an option is not given
    public int steps() {
        return intValue("--steps", 100);
    }

    public int batchSize() {
        return intValue("--batch-size", 8);
    }

    public int gradAccum() {
        return intValue("--grad-accum", 1);
    }

    public double lr() {
        return doubleValue("--lr", 1e-4);
    }

    public double weightDecay() {
        return doubleValue("--weight-decay", 0.0);
    }

    public double gradClip() {
        return doubleValue("--grad-clip", 1.0);
    }
}
