package org.medvlm.metrics;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code difflib.SequenceMatcher(None, a, b).ratio()} on strings: Ratcliff/Obershelp matching
 * (longest common block, then recurse left and right of it), with difflib's "autojunk" heuristic: when
 * {@code b} has 200 characters or more, characters that occur in more than 1% of it (plus one) are not
 * used to start a match, though they still extend one. PMC-VQA's evaluation maps answers to choices with it.
 */
final class SequenceMatcher {
    private SequenceMatcher() {}

    static double ratio(String a, String b) {
        int la = a.length();
        int lb = b.length();
        if (la + lb == 0) {
            return 1.0;
        }
        Map<Character, List<Integer>> b2j = new HashMap<>();
        for (int j = 0; j < lb; j++) {
            b2j.computeIfAbsent(b.charAt(j), k -> new ArrayList<>()).add(j);
        }
        if (lb >= 200) {
            int ntest = lb / 100 + 1;
            b2j.values().removeIf(idx -> idx.size() > ntest);
        }
        int matches = 0;
        Deque<int[]> queue = new ArrayDeque<>();
        queue.push(new int[] {0, la, 0, lb});
        while (!queue.isEmpty()) {
            int[] q = queue.pop();
            int[] m = longestMatch(a, b, b2j, q[0], q[1], q[2], q[3]);
            int i = m[0];
            int j = m[1];
            int k = m[2];
            if (k > 0) {
                matches += k;
                if (q[0] < i && q[2] < j) {
                    queue.push(new int[] {q[0], i, q[2], j});
                }
                if (i + k < q[1] && j + k < q[3]) {
                    queue.push(new int[] {i + k, q[1], j + k, q[3]});
                }
            }
        }
        return 2.0 * matches / (la + lb);
    }

    /** difflib's {@code find_longest_match}: the earliest longest block, extended over popular characters. */
    private static int[] longestMatch(String a, String b, Map<Character, List<Integer>> b2j,
            int alo, int ahi, int blo, int bhi) {
        int besti = alo;
        int bestj = blo;
        int bestsize = 0;
        Map<Integer, Integer> j2len = new HashMap<>();
        for (int i = alo; i < ahi; i++) {
            Map<Integer, Integer> next = new HashMap<>();
            for (int j : b2j.getOrDefault(a.charAt(i), List.of())) {
                if (j < blo) {
                    continue;
                }
                if (j >= bhi) {
                    break;
                }
                int k = j2len.getOrDefault(j - 1, 0) + 1;
                next.put(j, k);
                if (k > bestsize) {
                    besti = i - k + 1;
                    bestj = j - k + 1;
                    bestsize = k;
                }
            }
            j2len = next;
        }
        while (besti > alo && bestj > blo && a.charAt(besti - 1) == b.charAt(bestj - 1)) {
            besti--;
            bestj--;
            bestsize++;
        }
        while (besti + bestsize < ahi && bestj + bestsize < bhi
                && a.charAt(besti + bestsize) == b.charAt(bestj + bestsize)) {
            bestsize++;
        }
        return new int[] {besti, bestj, bestsize};
    }
}
