"""GPU training measurement of the real architecture's shape: BiomedCLIP ViT-B/16 + BLIP-2 Q-Former (32 queries) +
a bloomz-560m-shaped BLOOM, random weights, bf16 autocast. Prints tokens/s, model FLOPs utilisation (MFU) and the
peak GPU memory next to the ZeRO planner's prediction for the same run. NOT RUN in the session that wrote it (no GPU
was lent to it); run it where there is one:

    # one GPU, plain (DDP of one)
    PYTHONPATH=launch/python python3 -m medvlm.gpu_bench --batch-size 8 --text-tokens 64 --freeze none
    # FSDP over 4 GPUs (torch >= 2.0): FULL_SHARD, or --zero 2 for SHARD_GRAD_OP
    PYTHONPATH=launch/python torchrun --nproc_per_node 4 -m medvlm.gpu_bench --engine fsdp --batch-size 8
    # the planner's prediction for the same settings, to pass as --planner-gib (Java side, any machine):
    launch/medvlm train --preset biomedclip-bloomz-560m --data phantoms:64:1 --run-dir /tmp/x --launcher torchrun \
        --gpus 1 --engine ddp --batch-size 8 --freeze none --dry-run

MFU counts the matmul FLOPs of one training step (forward 2, backward 4 per multiply-add through trained weights;
backward 2 through frozen ones that gradients must cross; none for a frozen ViT run without gradients), over the
GPU's dense bf16 peak (H100/H200 SXM 989 TFLOP/s, A100 312; --peak-tflops for others).
"""
import argparse
import json
import os
import sys
import time

import torch

from . import config, distributed, engines
from .model import vlm

PEAK_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "L40S": 362.0, "A10": 125.0, "V100": 125.0}


def architecture():
    vision = config.VisionConfig()  # ViT-B/16, 224 px
    qformer = config.QFormerConfig(encoder_hidden_size=768)
    text = config.TextConfig(vocab_size=250880, hidden_size=1024, n_layer=24, n_head=16)
    return config.VlmConfig(fusion="qformer", num_query_tokens=32, prompt_template="Question: {question} Answer:",
                            max_new_tokens=16, vision=vision, text=text, qformer=qformer)


def step_flops(cfg, batch, text_tokens, answer_tokens, freeze):
    """Matmul FLOPs of one training step (see the module doc)."""
    v, q, t = cfg.vision, cfg.qformer, cfg.text
    n_patch = v.num_tokens
    # multiply-adds per sample: projections per token (ViT/BLOOM 12 d^2: qkv 3, out 1, MLP 8) and attention 2 s^2 d
    vit = v.depth * (12 * v.embed_dim ** 2 * n_patch + 2 * n_patch ** 2 * v.embed_dim) \
        + v.embed_dim * 3 * v.patch_size ** 2 * (n_patch - 1)
    n_q = cfg.num_query_tokens
    cross = -(-q.num_hidden_layers // q.cross_attention_frequency)
    qf = q.num_hidden_layers * (4 * q.hidden_size ** 2 * n_q + 2 * q.hidden_size * q.intermediate_size * n_q
                                + 2 * n_q ** 2 * q.hidden_size) \
        + cross * (2 * q.hidden_size ** 2 * n_q + 2 * q.encoder_hidden_size * q.hidden_size * n_patch
                   + 2 * n_q * n_patch * q.hidden_size) \
        + q.hidden_size * t.hidden_size * n_q
    s = n_q + text_tokens
    lm = t.n_layer * (12 * t.hidden_size ** 2 * s + 2 * s ** 2 * t.hidden_size)
    head = t.vocab_size * t.hidden_size * answer_tokens  # the chunked loss projects answer positions only
    forward = vit + qf + lm + head
    if freeze == "none":
        backward = 2 * forward  # weight and input gradients everywhere
    else:
        # blip2: the frozen ViT runs without gradients; the Q-Former is trained (2x); the LM is crossed (input grads, 1x)
        backward = 2 * qf + lm + head
    return 2 * batch * (forward + backward)  # 2 FLOPs per multiply-add


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m medvlm.gpu_bench", description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=("ddp", "fsdp"), default="ddp", help="ddp: plain (one GPU), fsdp: sharded")
    p.add_argument("--zero", type=int, choices=(2, 3), default=3, help="fsdp: 2 SHARD_GRAD_OP, 3 FULL_SHARD")
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--text-tokens", type=int, default=64)
    p.add_argument("--answer-tokens", type=int, default=4)
    p.add_argument("--freeze", choices=("none", "blip2"), default="none")
    p.add_argument("--checkpointing", action="store_true")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--peak-tflops", type=float, default=None)
    p.add_argument("--planner-gib", type=float, default=None, help="the planner's per-GPU peak for these settings")
    a = p.parse_args(argv)
    if not torch.cuda.is_available():
        print("medvlm gpu_bench: no CUDA device: this measurement needs a GPU", file=sys.stderr)
        return 1
    place = distributed.place()
    device = distributed.device_for(place, "cuda")
    distributed.init(place, "cuda")
    cfg = architecture()
    torch.manual_seed(0)
    model = vlm.MedVlm(cfg)
    model.init_weights()
    vlm.apply_freeze(model, a.freeze if a.freeze == "none" else "blip2")
    model.set_gradient_checkpointing(a.checkpointing)
    model.to(device)
    vlm.set_train_mode(model)
    args = argparse.Namespace(lr=1e-4, weight_decay=0.0, grad_clip=1.0, zero=a.zero)
    engine = engines.make(a.engine, model, args, place.world, place.rank, device, lambda s: 1e-4)
    g = torch.Generator(device="cpu").manual_seed(place.rank)
    B, T = a.batch_size, a.text_tokens
    ids = torch.randint(4, cfg.text.vocab_size, (B, T), generator=g)
    labels = torch.full((B, T), -100, dtype=torch.long)
    labels[:, T - a.answer_tokens:] = ids[:, T - a.answer_tokens:]
    batch = {"pixel_values": torch.randn(B, 3, 224, 224, generator=g), "input_ids": ids,
             "attention_mask": torch.ones(B, T, dtype=torch.long), "labels": labels}
    batch = {k: v.to(device) for k, v in batch.items()}
    torch.cuda.reset_peak_memory_stats(device)
    times = []
    for i in range(a.warmup + a.steps):
        torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            total, n = engine.forward(batch)
            loss = total / n
        engine.backward(loss, True)
        engine.step(1e-4)
        torch.cuda.synchronize(device)
        if i >= a.warmup:
            times.append(time.perf_counter() - t0)
    step = sorted(times)[len(times) // 2]
    peak = torch.cuda.max_memory_allocated(device)
    name = torch.cuda.get_device_name(device)
    peak_tflops = a.peak_tflops or next((v for k, v in PEAK_TFLOPS.items() if k in name), None)
    flops = step_flops(cfg, B, T, a.answer_tokens, a.freeze)
    tokens = B * (cfg.num_query_tokens + T) * place.world
    result = {"device": name, "torch": torch.__version__, "engine": a.engine, "world": place.world, "batch_per_gpu": B,
              "text_tokens": T, "freeze": a.freeze, "checkpointing": a.checkpointing, "step_s": step,
              "tokens_per_s": tokens / step, "samples_per_s": B * place.world / step,
              "tflops_per_gpu": flops / step / 1e12,
              "mfu": flops / step / 1e12 / peak_tflops if peak_tflops else None,
              "peak_gib": peak / 2 ** 30, "planner_gib": a.planner_gib,
              "parameters": sum(p.numel() for p in model.parameters())}
    if place.rank == 0:
        print(json.dumps(result))
        print(f"{name}: {result['tokens_per_s']:.0f} tokens/s, {result['samples_per_s']:.1f} samples/s, step "
              f"{step * 1e3:.1f} ms, {result['tflops_per_gpu']:.1f} TFLOP/s per GPU"
              + (f" (MFU {result['mfu'] * 100:.1f}%)" if result["mfu"] else "")
              + f", peak {result['peak_gib']:.2f} GiB" + (f" (planner {a.planner_gib:.2f} GiB)" if a.planner_gib else ""))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "4")
    sys.exit(main())
