"""Training throughput of the tiny preset in PyTorch on this CPU, to compare with the Java trainer's.

    PYTHONPATH=launch/python /usr/bin/python3 -m medvlm.bench [--steps 30] [--batch-size 8] [--freeze none]
        [--threads N] [--model DIR]

One process, fp32, AdamW, the trainer's own model, loss and optimizer step, on a synthetic batch in the phantoms'
shape (64 px images, the built-in tokenizer's prompt of ~18 tokens and a 2-token answer). Prints samples/s, the
median and 90th-percentile step time, forward/backward/optimizer shares, and the machine's load (a shared machine's
figures are only comparable at similar load). The tiny preset is the Java built-in model (vlm-lib's
builtin/config.json) unless --model names another folder.
"""
import argparse
import os
import platform
import statistics
import sys
import time

import torch

from . import config
from .data import collate
from .engines import BETAS, EPS, param_groups
from .model import vlm

BUILTIN = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
                       "vlm-lib", "src", "main", "resources", "org", "medvlm", "vlm", "builtin")


def synthetic_batch(cfg, batch, prompt=18, answer=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    vocab = cfg.text.vocab_size
    examples = [{"prompt_ids": torch.randint(4, vocab, (prompt - b % 3,), generator=g).tolist(),
                 "answer_ids": torch.randint(4, vocab, (answer - 1,), generator=g).tolist() + [cfg.text.eos_token_id]}
                for b in range(batch)]
    size = cfg.vision.img_size
    pixels = [torch.randn(3, size, size, generator=g) for _ in range(batch)]
    return collate(examples, pixels, cfg.text.padding_id)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m medvlm.bench", description=__doc__.splitlines()[0])
    p.add_argument("--model", default=BUILTIN, help="model folder (default: the tiny preset, Java's built-in model)")
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--freeze", default="none", choices=vlm.FREEZE_POLICIES)
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    cfg = config.read(a.model)
    model, _ = vlm.build(cfg, a.model, 0)
    vlm.apply_freeze(model, a.freeze)
    vlm.set_train_mode(model)
    groups = param_groups(model, 0.0)
    opt = torch.optim.AdamW([{"params": g["params"], "weight_decay": g["weight_decay"]} for g in groups], lr=1e-4,
                            betas=BETAS, eps=EPS)
    batch = synthetic_batch(cfg, a.batch_size)
    times, fwd, bwd, upd = [], [], [], []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        total, n = model(**batch)
        loss = total / n
        t1 = time.perf_counter()
        loss.backward()
        t2 = time.perf_counter()
        opt.step()
        opt.zero_grad(set_to_none=True)
        t3 = time.perf_counter()
        if i >= a.warmup:
            times.append(t3 - t0)
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
            upd.append(t3 - t2)
    med = statistics.median(times)
    p90 = sorted(times)[int(0.9 * (len(times) - 1))]
    n_params = sum(p.numel() for p in model.parameters())
    n_train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    tokens = int(batch["attention_mask"].sum()) + (cfg.num_query_tokens * a.batch_size if cfg.fusion == "qformer" else 0)
    print(f"medvlm bench: PyTorch {torch.__version__} training of {a.model}")
    print(f"  machine      {platform.machine()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, "
          f"load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  model        {n_params:,} parameters, {n_train:,} trained (--freeze {a.freeze}), fp32, AdamW")
    print(f"  batch        {a.batch_size} samples, {tokens} LM tokens per step")
    print(f"  step time    median {med * 1e3:.1f} ms, p90 {p90 * 1e3:.1f} ms over {a.steps} steps "
          f"(forward {statistics.median(fwd) * 1e3:.1f}, backward {statistics.median(bwd) * 1e3:.1f}, "
          f"optimizer {statistics.median(upd) * 1e3:.1f} ms)")
    print(f"  throughput   {a.batch_size / med:.1f} samples/s, {tokens / med:.0f} tokens/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
