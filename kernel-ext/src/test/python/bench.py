"""Benchmark: kernel start-up to first result, and the round trip of a trivial cell (`1 + 1`).

Prints figures; the JUnit benchmark compares them with IJava's ~80-100 ms per trivial cell (measured on
this machine, see shared/facts/jvm-kernel.md B7), whose floor is the base library's 50 ms polling sleep.
Usage: bench.py [CELLS] [STARTS]
"""
import statistics
import sys
import time

import kernel_client


def main():
    cells = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    starts = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    first = []
    ready = []
    trips = []
    infos = []
    for s in range(starts):
        km, kc, r, f = kernel_client.start()
        ready.append(r * 1000)
        first.append(f * 1000)
        if s == 0:
            for _ in range(20):
                kernel_client.execute(kc, "1 + 1")
            for _ in range(cells):
                t = time.perf_counter()
                kernel_client.execute(kc, "1 + 1")
                trips.append((time.perf_counter() - t) * 1000)
            for _ in range(30):
                t = time.perf_counter()
                kernel_client.shell_reply(kc, kc.kernel_info())
                infos.append((time.perf_counter() - t) * 1000)
        kernel_client.stop(km, kc)
    trips.sort()
    print("BENCH ready_ms=%s" % ",".join("%.0f" % x for x in ready))
    print("BENCH first_result_ms=%s" % ",".join("%.0f" % x for x in first))
    print("BENCH cells=%d median_ms=%.2f p10_ms=%.2f p90_ms=%.2f min_ms=%.2f max_ms=%.2f"
          % (cells, statistics.median(trips), trips[len(trips) // 10], trips[len(trips) * 9 // 10], trips[0], trips[-1]))
    print("BENCH kernel_info_median_ms=%.2f" % statistics.median(infos))


if __name__ == "__main__":
    main()
