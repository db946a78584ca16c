package org.medvlm.bloom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class AlibiTest {

    /** HF build_alibi_tensor, written out independently: closest power of two, then odd powers of the finer base. */
    private static double[] hfSlopes(int n) {
        int cp = (int) Math.pow(2, Math.floor(Math.log(n) / Math.log(2)));
        double base = Math.pow(2, -Math.pow(2, -((Math.log(cp) / Math.log(2)) - 3)));
        double[] s = new double[n];
        for (int i = 1; i <= cp; i++) {
            s[i - 1] = Math.pow(base, i);
        }
        if (cp != n) {
            double extra = Math.pow(2, -Math.pow(2, -((Math.log(2 * cp) / Math.log(2)) - 3)));
            int rest = Math.min(cp, n - cp);
            for (int j = 0; j < rest; j++) {
                s[cp + j] = Math.pow(extra, 1 + 2 * j);
            }
        }
        return s;
    }

    private static void assertSlopes(double[] want, float[] got) {
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-7, "head " + i);
        }
    }

    @Test
    void sixteenHeadsAreHalfPowersOfTwo() {
        float[] s = Bloom.Alibi.slopes(16); // bloomz-560m: base 2^-0.5
        assertEquals(Math.sqrt(0.5), s[0], 1e-7);
        assertEquals(0.5, s[1], 1e-7);
        assertEquals(0.00390625, s[15], 1e-9);
        assertSlopes(hfSlopes(16), s);
    }

    @Test
    void twelveHeadsInterleaveTheFinerSlopes() {
        float[] s = Bloom.Alibi.slopes(12); // cp = 8: 2^-1 ... 2^-8, then 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5
        assertArrayEquals(new float[] {0.5f, 0.25f, 0.125f, 0.0625f, 0.03125f, 0.015625f, 0.0078125f, 0.00390625f,
                (float) Math.pow(2, -0.5), (float) Math.pow(2, -1.5), (float) Math.pow(2, -2.5), (float) Math.pow(2, -3.5)}, s, 1e-7f);
        assertSlopes(hfSlopes(12), s);
    }

    @Test
    void otherCountsFollowTheFormula() {
        for (int n : new int[] {1, 2, 4, 5, 6, 7, 8, 32, 40, 112}) {
            assertSlopes(hfSlopes(n), Bloom.Alibi.slopes(n));
        }
    }

    @Test
    void positionsSkipLeftPadding() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mask = m.create(new float[][] {{0, 0, 1, 1, 1}, {1, 1, 1, 1, 1}});
            NDArray bias = Bloom.Alibi.bias(mask, new float[] {0.5f}); // (2, 1, 1, 5)
            assertArrayEquals(new float[] {0, 0, 0, 0.5f, 1f, 0, 0.5f, 1f, 1.5f, 2f}, bias.toFloatArray(), 0f);
        }
    }
}
