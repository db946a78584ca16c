package org.medvlm.zero;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Fit verdicts and the cheapest configuration that fits. */
class RecommendationTest {
    private static final ModelSize PSI_7_5B = ModelSize.ofParams(7_500_000_000L).withLargestLayer(1_027_604_480L);

    private static Recommendation recommend(PlanRequest r) {
        return ZeroPlanner.plan(r).recommendation().orElseThrow();
    }

    @Test
    void sixtyFourA100sNeedStage1() {
        ZeroPlan plan = ZeroPlanner.plan(PlanRequest.of(PSI_7_5B, 64).withGpu(Gpu.A100_40GB));
        assertEquals(List.of(false, true, true, true), plan.stages().stream().map(s -> plan.fits(s).orElseThrow()).toList());
        Recommendation r = plan.recommendation().orElseThrow();
        assertEquals(ZeroStage.STAGE_1, r.choice().orElseThrow().stage());
        assertEquals(64, r.gpus());
        assertTrue(r.reason().contains("stage 1") && r.reason().contains("64 × A100-40GB"), r.reason());
        assertTrue(r.reason().contains("GiB") && r.reason().contains("GB"), r.reason());
        assertEquals(1, r.reason().split("\\. ").length, "one sentence: " + r.reason());
    }

    @Test
    void fourOrTwoA100s() {
        // on 4: stage 1 needs 52.5 GB, stage 2 41.25 GB, under the A100's 40 GiB = 42.9 GB
        Recommendation four = recommend(PlanRequest.of(PSI_7_5B, 4).withGpu(Gpu.A100_40GB));
        assertEquals(ZeroStage.STAGE_2, four.choice().orElseThrow().stage());
        assertFalse(four.choice().orElseThrow().offloaded());
        // on 2 only stage 3 fits (60 GB / 2... 16Ψ/2 = 60 GB does not; so it is offload)
        Recommendation two = recommend(PlanRequest.of(PSI_7_5B, 2).withGpu(Gpu.A100_40GB));
        assertTrue(two.choice().orElseThrow().offloaded(), two.reason());
        assertTrue(two.reason().contains("without offload on 4 GPUs"), two.reason());
    }

    @Test
    void oneGpuFallsBackToCpuOffload() {
        // 7.5B on one 80 GB GPU: nothing fits without offload; ZeRO-Offload at stage 1 keeps the 16-bit weights
        // and gradients, 4Ψ = 30 GB, on the GPU
        Recommendation r = recommend(PlanRequest.of(PSI_7_5B, 1).withGpu(Gpu.A100_80GB));
        StagePlan c = r.choice().orElseThrow();
        assertEquals(1, r.gpus());
        assertEquals(Offload.CPU, c.offloadOptimizer());
        assertEquals(ZeroStage.STAGE_1, c.stage());
        assertEquals(30_000_000_000L, c.modelStatesBytes());
        // at stage 2 the gradients go to the CPU too: 2Ψ, DeepSpeed's estimate for offload_optimizer=cpu
        assertEquals(15_000_000_000L, ZeroPlanner.stage(PlanRequest.of(PSI_7_5B, 1), ZeroStage.STAGE_2, Offload.CPU, Offload.NONE)
                .modelStatesBytes());
        assertTrue(r.reason().contains("offloaded to cpu"), r.reason());
        // the alternative to offload: 4Ψ + 12Ψ/2 = 75 GB fits 80 GiB at stage 1 on 2 GPUs
        assertTrue(r.reason().contains("ZeRO stage 1 without offload on 2 GPUs"), r.reason());
    }

    @Test
    void nothingFitsWhenActivationsAloneAreTooLarge() {
        ModelSize m = BloomSize.bloomz560m();
        Workload w = new Workload(64, 8192, 1, false, Attention.EAGER, m.shape().orElseThrow());
        Recommendation r = recommend(PlanRequest.of(m, 8).withGpu(Gpu.V100_32GB).withWorkload(w));
        assertTrue(r.choice().isEmpty());
        assertTrue(r.reason().contains("checkpointing"), r.reason());
    }

    @Test
    void smallModelNeedsNoZero() {
        Recommendation r = recommend(PlanRequest.of(BloomSize.bloomz560m(), 8).withGpu(Gpu.H100_80GB));
        assertEquals(ZeroStage.STAGE_0, r.choice().orElseThrow().stage());
        assertTrue(r.reason().contains("not needed"), r.reason());
    }

    @Test
    void offloadChangesWhatStaysOnTheGpu() {
        PlanRequest r = PlanRequest.of(PSI_7_5B, 8);
        StagePlan z3 = ZeroPlanner.stage(r, ZeroStage.STAGE_3, Offload.CPU, Offload.NONE);
        assertEquals(2 * 7_500_000_000L / 8, z3.weightsBytes());
        assertEquals(0, z3.optimizerBytes());
        StagePlan all = ZeroPlanner.stage(r, ZeroStage.STAGE_3, Offload.CPU, Offload.CPU);
        assertEquals(0, all.modelStatesBytes());
        // what stays is DeepSpeed's 4 × largest layer (16-bit weights and gradients of the gathered layer)
        assertEquals(4 * 1_027_604_480L + ZeroPlanner.RUNTIME_BYTES, all.peakBytes());
        assertThrows(IllegalArgumentException.class, () -> ZeroPlanner.stage(r, ZeroStage.STAGE_2, Offload.CPU, Offload.CPU));
        assertThrows(IllegalArgumentException.class, () -> ZeroPlanner.stage(r, ZeroStage.STAGE_0, Offload.CPU, Offload.NONE));
    }

    @Test
    void hugeInputsAreRefusedNotOverflowed() {
        assertThrows(IllegalArgumentException.class, () -> ModelSize.ofParams(2_000_000_000_000_000L));
        TransformerShape shape = BloomSize.bloomz560m().shape().orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Workload(Integer.MAX_VALUE, Integer.MAX_VALUE, 1, false, Attention.EAGER, shape));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DeepSpeedEstimator.zero2(1_000_000_000L, Integer.MAX_VALUE, 2, true, 1.5));
    }

    @Test
    void gpuCatalogueAndCustomSizes() {
        assertEquals(Gpu.A100_40GB, Gpu.parse("a100-40gb"));
        assertEquals(Gpu.H100_80GB, Gpu.parse("H100"));
        assertEquals(40L << 30, Gpu.A100_40GB.capacityBytes());
        assertEquals(24L << 30, Gpu.parse("24GiB").capacityBytes());
        assertEquals(24_000_000_000L, Gpu.parse("custom:24GB").capacityBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Gpu.parse("TPUv4"));
        assertTrue(e.getMessage().contains("TPUv4") && e.getMessage().contains("A100-40GB"), e.getMessage());
    }

    @Test
    void countsWithSuffixes() {
        assertEquals(7_500_000_000L, Units.parseCount("7.5B", "--params"));
        assertEquals(7_070_000_000L, Units.parseCount("7.07B", "--params"));
        assertEquals(560_000_000L, Units.parseCount("560M", "--params"));
        assertEquals(1_000_000_000_000L, Units.parseCount("1T", "--params"));
        assertEquals(1_500L, Units.parseCount("1.5k", "--params"));
        assertEquals(559_214_592L, Units.parseCount("559214592", "--params"));
        for (String bad : new String[] {"-3", "0", "7.5Q", "", "1.5", "abc", "1e400B"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Units.parseCount(bad, "--params"), bad);
            assertTrue(e.getMessage().startsWith("--params: "), e.getMessage());
        }
    }
}
