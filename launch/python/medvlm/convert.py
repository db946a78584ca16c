"""python3 -m medvlm.convert biomedclip open_clip_pytorch_model.bin --out DIR

BiomedCLIP ships only as open_clip's pickle. This writes DIR/config.json (model_type timm_vit, the trunk's shape read
from the weights) and DIR/model.safetensors holding the image tower's trunk under timm names (``visual.trunk.X`` ->
``X``), which the Java loader and the trainer take as a vision part folder. The text tower, ``logit_scale`` and the
CLIP projection ``visual.head.proj`` are not the vision encoder's and are left out. Only torch can read the pickle,
which is why the toolkit's ``medvlm convert`` calls this.
"""
import argparse
import json
import os
import sys

import torch

from . import safetensors as st

TRUNK = "visual.trunk."


def load_pickle(path):
    """The checkpoint's tensors, unpickled without running code from the file (weights_only where torch has it)."""
    try:
        try:
            return torch.load(path, map_location="cpu", weights_only=True)
        except TypeError:  # torch without weights_only
            return torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise
    except Exception as e:  # a pickle that is not a tensor checkpoint: one line, not the unpickler's essay
        raise ValueError(f"not a PyTorch checkpoint ({type(e).__name__}: {str(e).splitlines()[0][:80]})") from None


def biomedclip(src, out, num_heads=None):
    sd = load_pickle(src)
    if isinstance(sd, dict) and "state_dict" in sd and isinstance(sd["state_dict"], dict):
        sd = sd["state_dict"]
    if not isinstance(sd, dict) or TRUNK + "pos_embed" not in sd:
        raise ValueError(f"{src}: not an open_clip checkpoint with a timm image tower (no {TRUNK}pos_embed)")
    trunk = {k[len(TRUNK):]: v.float().contiguous() for k, v in sd.items() if k.startswith(TRUNK)}
    dim = trunk["pos_embed"].shape[-1]
    depth = len({k.split(".")[1] for k in trunk if k.startswith("blocks.")})
    proj = trunk["patch_embed.proj.weight"]  # (D, C, p, p)
    patch = proj.shape[-1]
    tokens = trunk["pos_embed"].shape[1]
    cls = "cls_token" in trunk
    grid = int(round((tokens - (1 if cls else 0)) ** 0.5))
    hidden = trunk["blocks.0.mlp.fc1.weight"].shape[0] if depth else 4 * dim
    cfg = {"model_type": "timm_vit", "img_size": grid * patch, "patch_size": patch, "in_chans": proj.shape[1],
           "embed_dim": dim, "depth": depth, "num_heads": num_heads or max(1, dim // 64), "mlp_ratio": hidden / dim,
           "qkv_bias": "blocks.0.attn.qkv.bias" in trunk, "layer_norm_eps": 1e-6, "class_token": cls,
           "global_pool": "token", "pre_norm": "norm_pre.weight" in trunk, "num_classes": 0,
           "source": os.path.basename(src)}
    if "head.weight" in trunk:  # a timm classifier head inside the trunk is not the encoder's either
        trunk.pop("head.weight")
        trunk.pop("head.bias", None)
    os.makedirs(out, exist_ok=True)
    st.save_file(trunk, os.path.join(out, "model.safetensors"))
    tmp = os.path.join(out, "config.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    os.replace(tmp, os.path.join(out, "config.json"))
    return cfg, len(trunk)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m medvlm.convert", description="Converts published checkpoints.")
    p.add_argument("kind", choices=["biomedclip"])
    p.add_argument("source", help="open_clip_pytorch_model.bin")
    p.add_argument("--out", required=True, help="the folder to write (config.json, model.safetensors)")
    p.add_argument("--num-heads", type=int, default=None, help="attention heads (default: width / 64, timm's)")
    a = p.parse_args(argv)
    try:
        cfg, n = biomedclip(a.source, a.out, a.num_heads)
    except (OSError, ValueError, RuntimeError, KeyError, EOFError) as e:
        print(f"medvlm convert: {a.source}: {str(e).splitlines()[0] if str(e) else type(e).__name__}", file=sys.stderr)
        return 1
    print(f"wrote {a.out}: ViT {cfg['img_size']} px / {cfg['patch_size']}, width {cfg['embed_dim']}, {cfg['depth']} "
          f"blocks, {cfg['num_heads']} heads; {n} tensors in timm names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
