"""PyTorch side of BloomBenchmark: the same bloomz-560m-shaped fp32 weights, the same protocol.
Eager BLOOM written as transformers' modeling_bloom does it (fused linear, baddbmm with ALiBi, fp32 softmax,
tanh-GELU, KV cache grown by torch.cat as HF's DynamicCache does). Weights are memory-mapped like safetensors' loader.
Usage: python3 bloom_bench.py FILE   -> prints one JSON line."""
import json, math, os, struct, sys, time, warnings
import numpy as np
import torch
import torch.nn.functional as F

warnings.filterwarnings("ignore")
torch.set_num_threads(os.cpu_count())
H, NL, NH, EPS = 1024, 24, 16, 1e-5
HD = H // NH


def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) * 1024


def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    mm = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    sd = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        sd[k] = torch.from_numpy(mm[a:b].view(np.float32).reshape(v["shape"]))
    return sd


def slopes(n):
    cp = 2 ** math.floor(math.log2(n))
    base = 2 ** (-(2 ** -(math.log2(cp) - 3)))
    s = [base ** i for i in range(1, cp + 1)]
    if cp != n:
        extra = 2 ** (-(2 ** -(math.log2(2 * cp) - 3)))
        s += [extra ** i for i in range(1, 2 * (n - cp), 2)]
    return torch.tensor(s)


SLOPES = slopes(NH)


def forward(W, ids, mask, past):
    B, T = ids.shape
    L = mask.shape[1]
    ln = lambda x, p: F.layer_norm(x, (H,), W[p + ".weight"], W[p + ".bias"], EPS)
    x = ln(F.embedding(ids, W["word_embeddings.weight"]), "word_embeddings_layernorm")
    pos = ((mask.cumsum(-1) - 1) * mask)[:, None, :].float()
    alibi = (SLOPES[None, :, None] * pos).reshape(B * NH, 1, L)
    visible = (torch.arange(L)[None, :] <= torch.arange(L - T, L)[:, None])[None, None] & (mask[:, None, None, :] > 0)
    new_past = []
    for i in range(NL):
        p = f"h.{i}."
        h = ln(x, p + "input_layernorm")
        fused = F.linear(h, W[p + "self_attention.query_key_value.weight"], W[p + "self_attention.query_key_value.bias"])
        fused = fused.view(B, T, NH, 3, HD)
        q, k, v = (fused[..., j, :].transpose(1, 2) for j in range(3))
        if past is not None:
            k = torch.cat([past[i][0], k], 2)
            v = torch.cat([past[i][1], v], 2)
        new_past.append((k, v))
        s = torch.baddbmm(alibi, q.reshape(B * NH, T, HD), k.reshape(B * NH, L, HD).transpose(1, 2),
                          beta=1.0, alpha=1 / math.sqrt(HD)).view(B, NH, T, L)
        s = s.masked_fill(~visible, torch.finfo(s.dtype).min)
        probs = F.softmax(s, dim=-1, dtype=torch.float32)
        ctx = (probs @ v).transpose(1, 2).reshape(B, T, H)
        x = F.linear(ctx, W[p + "self_attention.dense.weight"], W[p + "self_attention.dense.bias"]) + x
        h = ln(x, p + "post_attention_layernorm")
        m = F.linear(h, W[p + "mlp.dense_h_to_4h.weight"], W[p + "mlp.dense_h_to_4h.bias"])
        m = m * 0.5 * (1.0 + torch.tanh(0.79788456 * m * (1 + 0.044715 * m * m)))
        x = F.linear(m, W[p + "mlp.dense_4h_to_h.weight"], W[p + "mlp.dense_4h_to_h.bias"]) + x
    x = ln(x, "ln_f")
    return F.linear(x[:, -1], W["word_embeddings.weight"]), new_past


def prefill(W, n):
    ids = torch.arange(n).remainder(1000).add(5)[None]
    mask = torch.ones(1, n, dtype=torch.long)
    return forward(W, ids, mask, None), mask


def decode_tps(W, start, steps):
    (logits, past), mask = prefill(W, start)
    tok = logits.argmax(-1)[:, None]
    t0 = None
    for s in range(steps + 1):
        if s == 1:
            t0 = time.perf_counter()  # the first step is a warm-up
        mask = torch.cat([mask, torch.ones(1, 1, dtype=torch.long)], 1)
        logits, past = forward(W, tok, mask, past)
        tok = logits.argmax(-1)[:, None]
    return steps / (time.perf_counter() - t0)


def main():
    path = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    base = status("VmRSS:")
    with torch.inference_mode():
        W = load(path)
        ids = torch.arange(8)[None]
        forward(W, ids, torch.ones(1, 8, dtype=torch.long), None)
        peak = status("VmHWM:")
        prefill(W, 128)  # warm-up
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            prefill(W, 128)
            times.append(time.perf_counter() - t0)
        d16 = decode_tps(W, 16, steps)
        d512 = decode_tps(W, 512, steps)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "prefill128_s": min(times),
                      "prefill128_median_s": sorted(times)[1], "decode16_tps": d16, "decode512_tps": d512,
                      "load_baseline_rss": base, "load_peak_rss": peak}))


main()
