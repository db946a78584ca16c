"""Benchmark: kernel start-up to first result, and the round trip of a trivial cell (`1 + 1`) and of kernel_info.

Runs the MedVLM kernel (MEDVLM_KERNEL_NAME) and, interleaved under the same machine load, the same kernel
with the base library's polling shell loop (MEDVLM_BASELINE_KERNEL_NAME, started with
-Dmedvlm.kernel.basePolling=true): the loop IJava and JJava use, which sleeps up to 50 ms per request.
Usage: bench.py [CELLS] [STARTS]
"""
import os
import statistics
import sys
import time

import kernel_client


def measure(name, cells, starts):
    kernel_client.KERNEL_NAME = name
    first, trips, infos = [], [], []
    for s in range(starts):
        km, kc, _, f = kernel_client.start()
        first.append(f * 1000)
        if s == 0:
            for _ in range(20):
                kernel_client.execute(kc, "1 + 1")
            for _ in range(cells):
                t = time.perf_counter()
                kernel_client.execute(kc, "1 + 1")
                trips.append((time.perf_counter() - t) * 1000)
            for _ in range(50):
                t = time.perf_counter()
                kernel_client.shell_reply(kc, kc.kernel_info())
                infos.append((time.perf_counter() - t) * 1000)
        kernel_client.stop(km, kc)
    trips.sort()
    return first, trips, infos


def main():
    cells = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    starts = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    kernels = [("medvlm", os.environ["MEDVLM_KERNEL_NAME"]), ("base-polling", os.environ["MEDVLM_BASELINE_KERNEL_NAME"])]
    for label, name in kernels:
        first, trips, infos = measure(name, cells, starts)
        print("BENCH %s first_result_ms=%s" % (label, ",".join("%.0f" % x for x in first)))
        print("BENCH %s cells=%d median_ms=%.2f p10_ms=%.2f p90_ms=%.2f min_ms=%.2f"
              % (label, cells, statistics.median(trips), trips[len(trips) // 10], trips[len(trips) * 9 // 10], trips[0]))
        print("BENCH %s kernel_info_median_ms=%.2f" % (label, statistics.median(infos)))


if __name__ == "__main__":
    main()
