package org.medvlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launch options of {@code train}: dry runs through the command line, and refusals in one line. */
class TrainLaunchCommandTest {
    @TempDir Path dir;

    @Test
    void dryRunsPrintTheLaunchersCommandsConfigsAndMemory() {
        String run = dir.resolve("r").toString();
        CliRun ds = CliRun.of("train", "--preset", "biomedclip-bloomz-560m", "--data", "phantoms:20:3", "--run-dir", run,
                "--launcher", "deepspeed", "--gpus", "8", "--zero", "3", "--offload", "optimizer", "--dry-run", "--python", "python3");
        assertEquals(0, ds.exitCode(), ds.err());
        assertTrue(ds.out().contains("deepspeed --num_gpus 8"), ds.out());
        assertTrue(ds.out().contains("\"zero_optimization\""), ds.out());
        assertTrue(ds.out().contains("memory per GPU (ZeRO planner): ZeRO stage 3"), ds.out());
        CliRun tr = CliRun.of("train", "--preset", "tiny", "--data", "phantoms:20:3", "--run-dir", run, "--launcher", "torchrun",
                "--gpus", "2", "--zero", "2", "--dry-run", "--python", "python3");
        assertEquals(0, tr.exitCode(), tr.err());
        assertTrue(tr.out().contains("torchrun --nnodes 1 --nproc_per_node 2") && tr.out().contains("--engine fsdp"), tr.out());
        CliRun sl = CliRun.of("train", "--preset", "tiny", "--data", "phantoms:20:3", "--run-dir", run, "--launcher", "slurm",
                "--gpus", "4", "--nodes", "2", "--dry-run", "--python", "python3");
        assertEquals(0, sl.exitCode(), sl.err());
        assertTrue(sl.out().contains("'srun'") && sl.out().contains("#SBATCH --nodes=2"), sl.out());
        assertFalse(Files.exists(dir.resolve("r")), "a dry run starts and writes nothing");
        // the shortest form plans the tiny preset on the built-in phantoms
        CliRun bare = CliRun.of("train", "--launcher", "deepspeed", "--gpus", "2", "--dry-run", "--python", "python3");
        assertEquals(0, bare.exitCode(), bare.err());
        assertTrue(bare.out().contains("deepspeed --num_gpus 2") && bare.out().contains("\"zero_optimization\""), bare.out());
        CliRun bareTorchrun = CliRun.of("train", "--launcher", "torchrun", "--nproc", "2", "--dry-run", "--python", "python3");
        assertEquals(0, bareTorchrun.exitCode(), bareTorchrun.err());
        assertTrue(bareTorchrun.out().contains("--nproc_per_node 2"), bareTorchrun.out());
    }

    @Test
    void aRunThePlannerSaysDoesNotFitIsRefusedWithoutForce() {
        String run = dir.resolve("big").toString();
        CliRun r = CliRun.of("train", "--preset", "biomedclip-bloomz-7b1", "--data", "phantoms:20:3", "--run-dir", run,
                "--launcher", "deepspeed", "--gpus", "1", "--zero", "0", "--freeze", "none", "--gpu-model", "V100-32GB",
                "--dry-run", "--python", "python3");
        assertEquals(3, r.exitCode(), r.out() + r.err());
        assertTrue(r.out().contains("does NOT fit V100-32GB") && r.out().contains("refused without --force"), r.out());
        CliRun forced = CliRun.of("train", "--preset", "biomedclip-bloomz-7b1", "--data", "phantoms:20:3", "--run-dir", run,
                "--launcher", "deepspeed", "--gpus", "1", "--zero", "0", "--freeze", "none", "--gpu-model", "V100-32GB",
                "--dry-run", "--force", "--python", "python3");
        assertEquals(0, forced.exitCode(), forced.err());
    }

    @Test
    void contradictionsAreOneLineUsageErrors() {
        String run = dir.resolve("r").toString();
        CliRun offload = CliRun.of("train", "--preset", "tiny", "--data", "phantoms:20:3", "--run-dir", run, "--launcher",
                "deepspeed", "--gpus", "2", "--zero", "2", "--offload", "params", "--dry-run");
        assertEquals(1, offload.exitCode());
        assertTrue(offload.errIsOneLine() && offload.err().contains("--offload params needs --zero 3"), offload.err());
        CliRun preset = CliRun.of("train", "--preset", "huge", "--run-dir", run, "--launcher", "local", "--dry-run");
        assertTrue(preset.errIsOneLine() && preset.err().contains("unknown preset 'huge'"), preset.err());
        CliRun bad = CliRun.of("train", "--launcher", "mpi");
        assertEquals(2, bad.exitCode());
        CliRun stop = CliRun.of("train", "stop", run);
        assertEquals(1, stop.exitCode());
        assertTrue(stop.errIsOneLine(), stop.err());
    }

    @Test
    void hostileLaunchInputsAreOneLineAndStartNothing() throws Exception {
        String run = dir.resolve("h").toString();
        Path fifo = dir.resolve("hosts.fifo");
        boolean haveFifo = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        Path notExecutable = Files.writeString(dir.resolve("python"), "#!/bin/sh\n");
        // {arguments..., what the one line says}
        String[][] cases = {
            {"--launcher", "deepspeed", "--gpus", "2", "--hostfile", "/dev/zero", "/dev/zero: not a regular file"},
            {"--launcher", "deepspeed", "--gpus", "2", "--hostfile", dir.toString(), "is a folder"},
            {"--launcher", "local", "--device", "cpu", "--nproc", "100000", "--nproc must be 1 to 256, not 100000"},
            {"--launcher", "deepspeed", "--gpus", "4096", "--gpus must be 0 to 256, not 4096"},
            {"--launcher", "slurm", "--nodes", "1000000", "--nodes must be 1 to 65536"},
            {"--launcher", "local", "--device", "cpu", "--python", notExecutable.toString(), "not an executable file"},
            {"--launcher", "local", "--device", "cpu", "--python", "/dev/null", "--python /dev/null: not an executable file"},
        };
        java.util.List<String[]> all = new java.util.ArrayList<>(java.util.List.of(cases));
        if (haveFifo) {
            all.add(new String[] {"--launcher", "deepspeed", "--gpus", "2", "--hostfile", fifo.toString(), "not a regular file"});
        }
        for (String[] c : all) {
            java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("train", "--run-dir", run, "--dry-run"));
            args.addAll(java.util.List.of(c).subList(0, c.length - 1));
            if (!args.contains("--dry-run") || c[1].equals("local")) {
                args.remove("--dry-run"); // a real local start, so --python is looked at
            }
            CliRun r = CliRun.of(args.toArray(String[]::new));
            assertEquals(1, r.exitCode(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.errIsOneLine() && r.err().contains(c[c.length - 1]), String.join(" ", c) + ": " + r.err());
            assertFalse(Files.exists(dir.resolve("h")), String.join(" ", c) + " wrote the run folder");
        }
    }

    /** In a notebook a launched run shows in the same live view as a local run, fed from its run folder. */
    @Test
    void aLaunchedRunFeedsTheNotebooksRunView() {
        String python = org.medvlm.launch.PythonTorch.require();
        java.util.List<Object> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        RecordingDisplay notebook = new RecordingDisplay(true) {
            @Override
            public org.medvlm.train.RunEvents.Listener runView(String title, long totalSteps) {
                return new org.medvlm.train.RunEvents.Listener() {
                    @Override public void onStep(org.medvlm.train.RunEvents.Step s) { events.add(s); }
                    @Override public void onEval(org.medvlm.train.RunEvents.Eval e) { events.add(e); }
                    @Override public void onStatus(org.medvlm.train.RunEvents.Status s) { events.add(s); }
                };
            }
        };
        Path run = dir.resolve("launched");
        int code = notebook.run("train", "--preset", "tiny", "--data", "phantoms:40:3", "--steps", "4", "--eval-every", "4",
                "--batch-size", "4", "--run-dir", run.toString(), "--launcher", "local", "--nproc", "1", "--device", "cpu",
                "--python", python);
        assertEquals(0, code, notebook.err.toString());
        assertEquals(4, events.stream().filter(e -> e instanceof org.medvlm.train.RunEvents.Step).count(), events.toString());
        assertTrue(events.stream().anyMatch(e -> e instanceof org.medvlm.train.RunEvents.Eval ev && !ev.samples().isEmpty()),
                "the answer table's rows");
        assertTrue(events.stream().anyMatch(e -> e instanceof org.medvlm.train.RunEvents.Status st
                && st.state() == org.medvlm.train.RunEvents.State.FINISHED), events.toString());
    }
}
