package org.medvlm.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medvlm.launch.LaunchSpec.Engine;
import org.medvlm.launch.LaunchSpec.Launcher;
import org.medvlm.launch.LaunchSpec.Offload;

/**
 * --dry-run prints exactly the commands, generated files and memory estimate of golden files (machine paths replaced
 * by placeholders), starts and writes nothing; values with spaces, quotes and $(...) stay inert: a shell reading a
 * printed command gets back exactly the argument list, and the sbatch script hands srun exactly the trainer's.
 * Regenerate the golden files with -Dgolden.update=true after a deliberate change, and review the diff.
 */
class DryRunGoldenTest {
    static final String NASTY = "run 'with' $(touch PWNED) `touch PWNED` \"q\"";
    static final Path GOLDEN = Path.of("src/test/resources/org/medvlm/launch/golden");

    @TempDir Path tmp;

    static LaunchSpec spec(Launcher l, int gpus, int nodes, Path hostfile, String include, Engine e, Integer zero,
                           Offload off, boolean checkpointing, String gpuModel) {
        return new LaunchSpec(l, gpus, null, nodes, Optional.ofNullable(hostfile), include, "", "", null, e, zero, off, null,
                null, checkpointing, true, false, "gpu", "01:00:00", "", gpuModel, "/opt/venv/bin/python");
    }

    String dryRun(String name, LaunchSpec spec, InitModel.Preset preset, Path run, TrainerArgs trainer) throws Exception {
        StringWriter text = new StringWriter();
        int code = Launches.launch(spec, trainer, run, Optional.of(new Launches.PresetInit(preset, Map.of())),
                new PrintWriter(text, true));
        assertEquals(0, code);
        assertFalse(Files.exists(run), "a dry run writes nothing");
        assertFalse(Files.exists(Path.of("PWNED")) || Files.exists(run.getParent().resolve("PWNED")), "nothing ran");
        String actual = text.toString().replace(run.toString(), "<RUN>").replace(PythonEnv.packageRoot().toString(), "<PYTHONPATH>")
                .replace(tmp.toString(), "<TMP>");
        Path golden = GOLDEN.resolve(name + ".txt");
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "golden " + golden);
        return actual;
    }

    @Test
    void deepSpeedSingleNode() throws Exception {
        String out = dryRun("deepspeed-single-node", spec(Launcher.DEEPSPEED, 8, 1, null, "", null, 2, Offload.OPTIMIZER, true,
                "A100-80GB"), InitModel.Preset.BIOMEDCLIP_BLOOMZ_7B1, tmp.resolve("ds"), TrainerArgs.of("--data", "phantoms:40:3",
                "--batch-size", "4", "--grad-accum", "2", "--steps", "1000", "--lr", "2e-5"));
        assertTrue(out.contains("deepspeed --num_gpus 8 --master_port 29500 --module medvlm.train"), out);
        assertTrue(out.contains("\"zero_optimization\""), out);
        assertTrue(out.contains("fits A100-80GB"), out);
    }

    @Test
    void deepSpeedHostfileMultiNode() throws Exception {
        Path hosts = tmp.resolve("hostfile");
        Files.writeString(hosts, "worker-0 slots=8\nworker-1 slots=8\nworker-2 slots=8\n");
        String out = dryRun("deepspeed-hostfile", spec(Launcher.DEEPSPEED, 8, 2, hosts, "", null, 3, Offload.PARAMS, false, ""),
                InitModel.Preset.BIOMEDCLIP_BLOOMZ_7B1, tmp.resolve(NASTY), TrainerArgs.of("--data", "phantoms:40:3",
                        "--batch-size", "2", "--freeze", "lora", "--lora-r", "16"));
        assertTrue(out.contains("--hostfile <TMP>/hostfile --num_nodes 2 --num_gpus 8"), out);
        assertTrue(out.contains("16 processes on 2 nodes"), out);
        String include = dryRun("deepspeed-include", spec(Launcher.DEEPSPEED, 0, 1, hosts, "worker-0:0,1@worker-2", null, 2,
                Offload.NONE, false, ""), InitModel.Preset.TINY, tmp.resolve("inc"), TrainerArgs.of("--data", "phantoms:40:3"));
        assertTrue(include.contains("--include worker-0:0,1@worker-2 --master_port"), include);
        assertFalse(include.contains("--num_gpus"), "DeepSpeed refuses --num_gpus with --include");
        assertTrue(include.contains("10 processes on 2 nodes"), include);
    }

    @Test
    void torchrun() throws Exception {
        String out = dryRun("torchrun", spec(Launcher.TORCHRUN, 4, 1, null, "", Engine.FSDP, null, null, true, ""),
                InitModel.Preset.BIOMEDCLIP_BLOOMZ_560M, tmp.resolve("tr"), TrainerArgs.of("--data", "phantoms:40:3",
                        "--batch-size", "8"));
        assertTrue(out.contains("torchrun --nnodes 1 --nproc_per_node 4 --master_port 29500 -m medvlm.train"), out);
        assertTrue(out.contains("--engine fsdp --device cuda --precision bf16 --checkpointing --zero 3"), out);
        // a hostfile of several hosts with one node would start one command and leave the others idle: refused
        Path hosts = tmp.resolve("two-hosts");
        Files.writeString(hosts, "node-a slots=4\nnode-b slots=4\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Launches.launch(
                spec(Launcher.TORCHRUN, 4, 1, hosts, "", Engine.FSDP, null, null, true, ""), TrainerArgs.of("--data", "phantoms:40:3"),
                tmp.resolve("tr2"), Optional.of(new Launches.PresetInit(InitModel.Preset.TINY, Map.of())), new PrintWriter(new StringWriter())));
        assertEquals("--hostfile " + hosts + " lists 2 hosts but --nodes is 1: torchrun starts one command per node; give --nodes 2",
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("tr2")), "a refused launch writes nothing");
    }

    @Test
    void slurm() throws Exception {
        String out = dryRun("slurm", spec(Launcher.SLURM, 4, 2, null, "", Engine.ZERO1, null, null, false, ""),
                InitModel.Preset.TINY, tmp.resolve(NASTY), TrainerArgs.of("--data", "phantoms:40:3", "--steps", "60"));
        assertTrue(out.contains("sbatch --parsable"), out);
        assertTrue(out.contains("exec 'srun' '--kill-on-bad-exit=1' '--ntasks=8'"), out);
    }

    /** A shell reads each printed command back into exactly its argument list: nothing in a value is interpreted. */
    @Test
    void printedCommandsAndTheSbatchScriptAreInert() throws Exception {
        Path hosts = tmp.resolve("hosts");
        Files.writeString(hosts, "node-a slots=2\nnode-b slots=2\n");
        Path run = tmp.resolve(NASTY);
        TrainerArgs trainer = TrainerArgs.of("--model", tmp.resolve("m $(touch PWNED)").toString(), "--data",
                tmp.resolve("d 'x'").toString(), "--steps", "3");
        LaunchPlanner.Inputs in = new LaunchPlanner.Inputs(trainer, run, "/opt/py $(touch PWNED)/python", tmp.resolve("py `x`"),
                64, Optional.empty());
        List<LaunchPlan> plans = new ArrayList<>();
        for (Launcher l : Launcher.values()) {
            plans.add(LaunchPlanner.plan(new LaunchSpec(l, 2, null, 1, Optional.empty(), "", "", "", 29511, l == Launcher.DEEPSPEED
                    ? null : Engine.ZERO1, null, null, LaunchSpec.Device.CUDA, null, false, true, false, "p", "", "", "", ""), in));
        }
        plans.add(LaunchPlanner.plan(new LaunchSpec(Launcher.TORCHRUN, 2, null, 2, Optional.of(hosts), "", "", "", 29511,
                Engine.ZERO1, null, null, null, null, false, true, false, "", "", "", "", ""), in));
        int checked = 0;
        for (LaunchPlan plan : plans) {
            for (LaunchPlan.Proc p : plan.processes()) {
                List<String> expected = new ArrayList<>();
                if (!p.env().isEmpty()) {
                    expected.add("env");
                    p.env().forEach((k, v) -> expected.add(k + "=" + v));
                }
                expected.addAll(p.argv());
                assertEquals(expected, shellWords(p.commandLine()), p.name());
                checked++;
                if (p.argv().get(0).equals("ssh")) {
                    // the remote shell reads ssh's command string: again exactly the torchrun argument list
                    List<String> remote = shellWords(p.argv().get(4).substring(p.argv().get(4).indexOf("&& ") + 3));
                    assertEquals("torchrun", remote.get(2));
                    assertTrue(remote.containsAll(List.of("--run-dir", run.toString(), "--model", trainer.value("--model").get())));
                    checked++;
                }
            }
        }
        assertEquals(2 + 1 + 1 + 1 + 2 + 2, checked);
        // the batch script, run with a stand-in srun that records what it was handed
        String script = plans.get(3).files().get(LaunchPlanner.SBATCH);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path got = tmp.resolve("srun-args");
        Files.writeString(bin.resolve("srun"), "#!/bin/bash\nprintf '%s\\0' \"$@\" > \"$SRUN_OUT\"\n"
                + "printf '%s\\0' \"$MASTER_ADDR\" \"$MASTER_PORT\" \"$PYTHONPATH\" >> \"$SRUN_OUT\"\n");
        Files.writeString(bin.resolve("scontrol"), "#!/bin/bash\necho node-7\necho node-8\n");
        bin.resolve("srun").toFile().setExecutable(true);
        bin.resolve("scontrol").toFile().setExecutable(true);
        Path file = tmp.resolve("job.sbatch");
        Files.writeString(file, script);
        ProcessBuilder pb = new ProcessBuilder("bash", file.toString()).directory(tmp.toFile()).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("SRUN_OUT", got.toString());
        pb.environment().put("SLURM_JOB_NODELIST", "node-[7-8]");
        pb.environment().put("SLURM_JOB_ID", "4242");
        Process proc = pb.start();
        String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, proc.waitFor(), log);
        List<String> args = Arrays.asList(Files.readString(got, StandardCharsets.UTF_8).split("\0", -1));
        List<String> expected = new ArrayList<>(List.of("--kill-on-bad-exit=1", "--ntasks=2",
                "--output=" + run.resolve("logs").resolve("rank-%t.log"), "--open-mode=append", in.python(), "-m", "medvlm.train"));
        expected.addAll(LaunchPlanner.trainerArgs(plans.get(3).spec(), in));
        expected.addAll(List.of("node-7", "29511", in.pythonPath().toString(), ""));
        assertEquals(expected, args);
        assertFalse(Files.exists(tmp.resolve("PWNED")) || Files.exists(Path.of("PWNED")), "a value was executed");
    }

    /** The words bash makes of a printed command line, without running it. */
    static List<String> shellWords(String line) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", "set -- " + line + "\nprintf '%s\\0' \"$@\"").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<String> words = new ArrayList<>(Arrays.asList(out.split("\0", -1)));
        words.remove(words.size() - 1);
        return words;
    }
}
