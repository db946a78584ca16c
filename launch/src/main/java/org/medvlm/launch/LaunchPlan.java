package org.medvlm.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a launch does, decided before anything starts: the processes this machine starts (each an argument
 * list with its environment and log), the files written into the run directory (ds_config.json, the sbatch script),
 * the world size and the memory estimate. {@code --dry-run} prints it ({@link #describe}); a run executes it.
 *
 * @param files run-directory-relative name -> content
 */
public record LaunchPlan(LaunchSpec spec, Path runDir, int worldSize, int nodes, List<Proc> processes,
                         Map<String, String> files, Optional<MemoryEstimate> memory, List<String> notes) {

    /**
     * One process this machine starts.
     *
     * @param name what it is ("rank 0", "deepspeed launcher", "torchrun on node-1", "sbatch")
     * @param env variables set for it on top of the inherited environment
     * @param log where its output goes (empty: followed through the launcher's own output)
     */
    public record Proc(String name, List<String> argv, Map<String, String> env, Optional<Path> log) {
        public Proc {
            argv = List.copyOf(argv);
            env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
        }

        /** The command as a shell would read it, every value quoted: {@code env K=V ... argv}. */
        public String commandLine() {
            List<String> words = new ArrayList<>();
            if (!env.isEmpty()) {
                words.add("env");
                env.forEach((k, v) -> words.add(k + "=" + v));
            }
            words.addAll(argv);
            return Quoting.join(words);
        }
    }

    public LaunchPlan {
        processes = List.copyOf(processes);
        files = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(files));
        notes = List.copyOf(notes);
    }

    /** What --dry-run prints: the plan's summary, each command, each generated file, the memory estimate. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "launch: %s, %d process%s on %d node%s, engine %s, ZeRO stage %d, %s, %s%s%n",
                spec.launcher().key(), worldSize, worldSize == 1 ? "" : "es", nodes, nodes == 1 ? "" : "s", spec.engine().key(),
                spec.stage(), spec.device().key(), spec.precision().key(), spec.checkpointing() ? ", activation checkpointing" : ""));
        s.append("run directory: ").append(runDir).append('\n');
        s.append("commands:\n");
        for (Proc p : processes) {
            s.append("  # ").append(p.name()).append(p.log().map(l -> " (output: " + l + ")").orElse("")).append('\n');
            s.append("  ").append(p.commandLine()).append('\n');
        }
        for (Map.Entry<String, String> f : files.entrySet()) {
            s.append("file ").append(runDir.resolve(f.getKey())).append(":\n");
            s.append(f.getValue().endsWith("\n") ? f.getValue() : f.getValue() + "\n");
        }
        memory.ifPresent(m -> s.append(m).append('\n'));
        for (String n : notes) {
            s.append("note: ").append(n).append('\n');
        }
        return s.toString();
    }
}
