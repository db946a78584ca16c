"""Benchmark: kernel start-up to first result, and the round trip of a trivial cell (`1 + 1`) and of kernel_info.

Compares the MedVLM kernel (MEDVLM_KERNEL_NAME) with the same kernel on the base library's polling shell
loop (MEDVLM_BASELINE_KERNEL_NAME, -Dmedvlm.kernel.basePolling=true): the loop IJava and JJava use, which
sleeps up to 50 ms per request. Both kernels run at once and requests alternate between them, so the
machine's load (shared, 2 cores) weighs on both alike.
Usage: bench.py [CELLS] [STARTS]
"""
import os
import statistics
import sys
import time

import kernel_client

LABELS = ("medvlm", "base-polling")


def start(name):
    kernel_client.KERNEL_NAME = name
    return kernel_client.start()


def main():
    cells = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    starts = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    names = dict(zip(LABELS, (os.environ["MEDVLM_KERNEL_NAME"], os.environ["MEDVLM_BASELINE_KERNEL_NAME"])))
    first = {label: [] for label in LABELS}
    for _ in range(starts):
        for label in LABELS:
            km, kc, _, f = start(names[label])
            first[label].append(f * 1000)
            kernel_client.stop(km, kc)
    kernels = {label: start(names[label]) for label in LABELS}
    trips = {label: [] for label in LABELS}
    infos = {label: [] for label in LABELS}
    for label in LABELS:
        for _ in range(20):
            kernel_client.execute(kernels[label][1], "1 + 1")
    for _ in range(cells):
        for label in LABELS:
            kc = kernels[label][1]
            t = time.perf_counter()
            kernel_client.execute(kc, "1 + 1")
            trips[label].append((time.perf_counter() - t) * 1000)
    for _ in range(50):
        for label in LABELS:
            kc = kernels[label][1]
            t = time.perf_counter()
            kernel_client.shell_reply(kc, kc.kernel_info())
            infos[label].append((time.perf_counter() - t) * 1000)
    for label in LABELS:
        km, kc, _, _ = kernels[label]
        kernel_client.stop(km, kc)
        t = sorted(trips[label])
        print("BENCH %s first_result_ms=%s" % (label, ",".join("%.0f" % x for x in first[label])))
        print("BENCH %s cells=%d median_ms=%.2f p10_ms=%.2f p90_ms=%.2f min_ms=%.2f"
              % (label, cells, statistics.median(t), t[len(t) // 10], t[len(t) * 9 // 10], t[0]))
        print("BENCH %s kernel_info_median_ms=%.2f" % (label, statistics.median(infos[label])))


if __name__ == "__main__":
    main()
