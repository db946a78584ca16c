import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_ROOT = os.path.dirname(HERE)  # launch/python
REPO = os.path.dirname(os.path.dirname(PYTHON_ROOT))
sys.path.insert(0, PYTHON_ROOT)


def shared_dir(*parts):
    """A folder of the project's ../shared; skipped with a message where absent, a failure when CI is set."""
    path = os.path.join(os.path.dirname(REPO), "shared", *parts)
    if not os.path.isdir(path):
        message = f"{path} is absent (the project's shared reference files)"
        if os.environ.get("CI"):
            pytest.fail(message + " and CI is set")
        pytest.skip(message)
    return path


def tiny_config(fusion="qformer", **text):
    """A small model folder's config.json (both fusions), as the Java built-in model's."""
    cfg = {
        "model_type": "medvlm", "format_version": 1, "fusion": fusion, "num_query_tokens": 4,
        "prompt_template": "Question: {question} Answer:", "max_new_tokens": 4,
        "vision_config": {"model_type": "timm_vit", "img_size": 32, "patch_size": 8, "embed_dim": 32, "depth": 2,
                          "num_heads": 4, "mlp_ratio": 2.0, "qkv_bias": True, "layer_norm_eps": 1e-6},
        "text_config": dict({"model_type": "bloom", "vocab_size": 50, "hidden_size": 32, "n_layer": 2, "n_head": 4,
                             "layer_norm_epsilon": 1e-5, "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 3}, **text),
    }
    if fusion == "qformer":
        cfg["qformer_config"] = {"model_type": "blip_2_qformer", "hidden_size": 32, "num_hidden_layers": 2,
                                 "num_attention_heads": 4, "intermediate_size": 64, "cross_attention_frequency": 1}
    else:
        cfg["gated_config"] = {"cross_attn_every_n_layers": 1, "perceiver_depth": 1, "num_latents": 4, "heads": 2,
                               "dim_head": 8, "ff_mult": 2}
    return cfg


def model_folder(path, cfg):
    import json
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(cfg, f)
    return str(path)


def random_batch(B=3, T=7, vocab=50, size=32, seed=0, answer=2):
    """A batch in the trainer's layout: left padding on some rows, the last `answer` tokens labelled."""
    import torch
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, vocab, (B, T), generator=g)
    mask = torch.ones(B, T, dtype=torch.long)
    for b in range(B):
        mask[b, :b] = 0
        ids[b, :b] = 3
    labels = torch.full((B, T), -100, dtype=torch.long)
    labels[:, T - answer:] = ids[:, T - answer:]
    return {"pixel_values": torch.randn(B, 3, size, size, generator=g), "input_ids": ids, "attention_mask": mask,
            "labels": labels}


BUILTIN_TOKENIZER = os.path.join(REPO, "vlm-lib", "src", "main", "resources", "org", "medvlm", "vlm", "builtin",
                                 "tokenizer.json")


def prepared_data(path, n=24, test=8, vocab=50, seed=0, size=40):
    """A prepared folder as 'medvlm datasets prepare' writes it: small PNGs, token ids, train/test splits."""
    import json
    import random
    import shutil
    from PIL import Image
    rnd = random.Random(seed)
    os.makedirs(os.path.join(path, "images"), exist_ok=True)
    lines = []
    for i in range(n + test):
        img = Image.new("RGB", (size + i % 3, size), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
        name = f"images/{i:06d}-ex{i}.png"
        img.save(os.path.join(path, name))
        answer = rnd.choice(["yes", "no"])
        lines.append({"id": f"ex{i}", "image": name, "question": f"q{i}?", "answers": [answer],
                      "answer_type": "closed", "split": "train" if i < n else "test",
                      "question_type": "PRESENCE", "dataset": "test",
                      "prompt_ids": [rnd.randrange(4, vocab) for _ in range(rnd.randrange(3, 7))],
                      "answer_ids": [rnd.randrange(4, vocab), 2]})
    with open(os.path.join(path, "manifest.jsonl"), "w") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")
    with open(os.path.join(path, "prepare.json"), "w") as f:
        json.dump({"schema": 1, "source": "test", "count": n + test, "splits": {"train": n, "test": test},
                   "tokenizer": "builtin", "max_text_tokens": 9}, f)
    shutil.copyfile(BUILTIN_TOKENIZER, os.path.join(path, "tokenizer.json"))
    return str(path)


def run_ranks(world, args, env_extra=None, timeout=240):
    """Starts `world` ranks of python3 -m medvlm.train with the environment the local launcher sets; returns codes."""
    import socket
    import subprocess
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    procs = []
    for r in range(world):
        env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(r), WORLD_SIZE=str(world),
                   LOCAL_RANK=str(r), OMP_NUM_THREADS="1", PYTHONPATH=PYTHON_ROOT)
        env.update(env_extra or {})
        procs.append(subprocess.Popen([sys.executable, "-m", "medvlm.train", *args], env=env))
    return [p.wait(timeout) for p in procs]


def step_losses(run_dir):
    import json
    with open(os.path.join(run_dir, "metrics.jsonl")) as f:
        return [e["loss"] for e in map(json.loads, f) if e["event"] == "step"]
