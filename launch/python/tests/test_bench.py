"""The benchmarks stay runnable: the CPU benchmark runs a step, the GPU script's FLOP count follows the 6N rule."""
import pytest

from medvlm import bench, gpu_bench


def test_cpu_benchmark_runs(capsys):
    assert bench.main(["--steps", "1", "--warmup", "0", "--batch-size", "2"]) == 0
    out = capsys.readouterr().out
    assert "samples/s" in out and "step time" in out


def test_gpu_benchmark_flops_follow_six_n_per_token():
    cfg = gpu_bench.architecture()
    # 6 x parameters x tokens per part: BLOOM-560m without its embedding over 32 + 64 tokens, the ViT-B/16 over 197
    # patches, the Q-Former (about 100M, most of it reading the 197 patches) over 32 queries; attention and the
    # answer positions' head come on top
    rule = 6 * 8 * (24 * 12 * 1024 ** 2 * 96 + 85.8e6 * 197 + 100e6 * 32)
    full = gpu_bench.step_flops(cfg, 8, 64, 4, "none")
    assert full == pytest.approx(rule, rel=0.15)
    assert gpu_bench.step_flops(cfg, 8, 64, 4, "blip2") < full
