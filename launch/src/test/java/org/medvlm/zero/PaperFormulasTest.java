package org.medvlm.zero;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The ZeRO paper's model-state figures (SC'20): Figure 1, Table 1 as printed, and the §7 communication volumes. */
class PaperFormulasTest {

    private static ZeroPlan plan(long psi, int nd) {
        return ZeroPlanner.plan(PlanRequest.of(ModelSize.ofParams(psi), nd));
    }

    private static double gb(StagePlan s) {
        return s.modelStatesBytes() / 1e9;
    }

    @Test
    void figure1() {
        ZeroPlan p = plan(7_500_000_000L, 64);
        assertEquals("120", printed7p5(p.stage(ZeroStage.STAGE_0).modelStatesBytes()));
        assertEquals("31.4", printed7p5(p.stage(ZeroStage.STAGE_1).modelStatesBytes()));
        assertEquals("16.6", printed7p5(p.stage(ZeroStage.STAGE_2).modelStatesBytes()));
        // Figure 1 rounds 1.875 to 1.9; Table 1 prints 1.88
        assertEquals(1.9, Math.round(gb(p.stage(ZeroStage.STAGE_3)) * 10) / 10.0);
        assertEquals(120_000_000_000L, p.stage(ZeroStage.STAGE_0).modelStatesBytes());
        assertEquals(31_406_250_000L, p.stage(ZeroStage.STAGE_1).modelStatesBytes());
        assertEquals(16_640_625_000L, p.stage(ZeroStage.STAGE_2).modelStatesBytes());
        assertEquals(1_875_000_000L, p.stage(ZeroStage.STAGE_3).modelStatesBytes());
    }

    @Test
    void splitIntoWeightsGradientsOptimizer() {
        StagePlan s2 = plan(7_500_000_000L, 64).stage(ZeroStage.STAGE_2);
        assertEquals(2 * 7_500_000_000L, s2.weightsBytes());
        assertEquals(2 * 7_500_000_000L / 64, s2.gradientsBytes());
        assertEquals(12 * 7_500_000_000L / 64, s2.optimizerBytes());
        StagePlan s1 = plan(7_500_000_000L, 64).stage(ZeroStage.STAGE_1);
        assertEquals(2 * 7_500_000_000L, s1.gradientsBytes());
    }

    @Test
    void seedStory() {
        assertEquals(120e9, gb(plan(7_500_000_000L, 1).stage(ZeroStage.STAGE_0)) * 1e9, 0.5);
        assertEquals(30.0, gb(plan(7_500_000_000L, 4).stage(ZeroStage.STAGE_3)), 1e-12);
        assertEquals(15.0, gb(plan(7_500_000_000L, 8).stage(ZeroStage.STAGE_3)), 1e-12);
        // "it can never fit on a 40 GB A100 without ZeRO"
        ZeroPlan onA100 = ZeroPlanner.plan(PlanRequest.of(ModelSize.ofParams(7_500_000_000L), 1024).withGpu(Gpu.A100_40GB));
        assertFalse(onA100.fits(onA100.stage(ZeroStage.STAGE_0)).orElseThrow());
        ZeroPlan four = ZeroPlanner.plan(PlanRequest.of(ModelSize.ofParams(7_500_000_000L), 4).withGpu(Gpu.A100_40GB));
        assertTrue(four.fits(four.stage(ZeroStage.STAGE_3)).orElseThrow());
    }

    /** Table 1 as printed: 7.5B to 1 or 2 decimals half-up, 128B and 1T truncated, except below 100 (one decimal). */
    @ParameterizedTest(name = "DP {0}")
    @CsvSource(delimiter = '|', value = {
        "1    | 120  | 120  | 120  | 2048 | 2048 | 2048 | 16000 | 16000 | 16000",
        "4    | 52.5 | 41.3 | 30   | 896  | 704  | 512  | 7000  | 5500  | 4000",
        "16   | 35.6 | 21.6 | 7.5  | 608  | 368  | 128  | 4750  | 2875  | 1000",
        "64   | 31.4 | 16.6 | 1.88 | 536  | 284  | 32   | 4187  | 2218  | 250",
        "256  | 30.4 | 15.4 | 0.47 | 518  | 263  | 8    | 4046  | 2054  | 62.5",
        "1024 | 30.1 | 15.1 | 0.12 | 513  | 257  | 2    | 4011  | 2013  | 15.6",
    })
    void table1(int dp, String a1, String a2, String a3, String b1, String b2, String b3, String c1, String c2, String c3) {
        ZeroPlan small = plan(7_500_000_000L, dp);
        ZeroPlan mid = plan(128_000_000_000L, dp);
        ZeroPlan big = plan(1_000_000_000_000L, dp);
        List<String> expected = List.of(a1, a2, a3, b1, b2, b3, c1, c2, c3);
        List<String> actual = new ArrayList<>();
        for (ZeroStage s : List.of(ZeroStage.STAGE_1, ZeroStage.STAGE_2, ZeroStage.STAGE_3)) {
            actual.add(printed7p5(small.stage(s).modelStatesBytes()));
        }
        for (ZeroPlan p : List.of(mid, big)) {
            for (ZeroStage s : List.of(ZeroStage.STAGE_1, ZeroStage.STAGE_2, ZeroStage.STAGE_3)) {
                actual.add(printedLarge(p.stage(s).modelStatesBytes()));
            }
        }
        assertEquals(expected, actual);
    }

    /** The bold cells: per column, the first DP degree at which the model fits 32GB V100s. */
    @Test
    void table1BoldCellsAreTheFirstFitOnV100() {
        List<String> bold = new ArrayList<>();
        int[] degrees = {1, 4, 16, 64, 256, 1024};
        for (long psi : new long[] {7_500_000_000L, 128_000_000_000L, 1_000_000_000_000L}) {
            for (ZeroStage s : List.of(ZeroStage.STAGE_1, ZeroStage.STAGE_2, ZeroStage.STAGE_3)) {
                for (int dp : degrees) {
                    ZeroPlan p = ZeroPlanner.plan(PlanRequest.of(ModelSize.ofParams(psi), dp).withGpu(Gpu.V100_32GB));
                    if (p.fits(p.stage(s)).orElseThrow()) {
                        bold.add(ModelSize.humanCount(psi) + " " + s.paperName() + " @" + dp);
                        break;
                    }
                }
            }
        }
        assertEquals(List.of("7.5B P_os @64", "7.5B P_os+g @16", "7.5B P_os+g+p @4", "128B P_os+g+p @64", "1T P_os+g+p @1024"), bold);
    }

    @Test
    void communicationVolume() {
        ZeroPlan p = plan(7_500_000_000L, 64);
        assertEquals(15_000_000_000L, p.stage(ZeroStage.STAGE_0).communicationElements());
        assertEquals(15_000_000_000L, p.stage(ZeroStage.STAGE_1).communicationElements());
        assertEquals(15_000_000_000L, p.stage(ZeroStage.STAGE_2).communicationElements());
        assertEquals(22_500_000_000L, p.stage(ZeroStage.STAGE_3).communicationElements());
    }

    @Test
    void bytesPerParameterByPrecisionAndOptimizer() {
        assertEquals(12, Precision.MIXED.optimizerBytesPerParam(Optimizer.ADAM));
        assertEquals(16, Precision.MIXED.modelStateBytesPerParam(Optimizer.ADAMW));
        assertEquals(16, Precision.AMP.modelStateBytesPerParam(Optimizer.ADAMW));
        assertEquals(8, Precision.AMP.optimizerBytesPerParam(Optimizer.ADAMW));
        assertEquals(8, Precision.BF16.modelStateBytesPerParam(Optimizer.ADAM));
        assertEquals(12, Precision.MIXED.modelStateBytesPerParam(Optimizer.SGD));
        StagePlan amp = ZeroPlanner.plan(PlanRequest.of(ModelSize.ofParams(1_000), 1).withPrecision(Precision.AMP)).stage(ZeroStage.STAGE_0);
        assertEquals(4_000, amp.weightsBytes());
        assertEquals(4_000, amp.gradientsBytes());
        assertEquals(8_000, amp.optimizerBytes());
    }

    private static String printed7p5(long bytes) {
        BigDecimal v = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1_000_000_000L));
        v = v.setScale(v.compareTo(BigDecimal.TEN) >= 0 ? 1 : 2, RoundingMode.HALF_UP);
        return v.stripTrailingZeros().toPlainString();
    }

    private static String printedLarge(long bytes) {
        BigDecimal v = BigDecimal.valueOf(bytes).divide(BigDecimal.valueOf(1_000_000_000L));
        BigDecimal whole = v.setScale(0, RoundingMode.DOWN);
        if (v.compareTo(whole) != 0 && v.compareTo(BigDecimal.valueOf(100)) < 0) {
            return v.setScale(1, RoundingMode.DOWN).stripTrailingZeros().toPlainString();
        }
        return whole.toPlainString();
    }
}
