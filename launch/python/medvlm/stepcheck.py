"""python3 -m medvlm.stepcheck: one training step from a model folder and a batch file, written out for comparison
with the Java trainer (same checkpoint, same batch, fp32, CPU).

    python3 -m medvlm.stepcheck --model DIR --batch batch.safetensors --out step.safetensors
        [--lr 1e-4 --weight-decay 0.0 --freeze none|blip2|gated|lora --grad-clip 0]

batch.safetensors: pixel_values [B, 3, S, S] F32, input_ids [B, T] I64, attention_mask [B, T] I64, labels [B, T] I64
(the text layout of medvlm.data.collate; -100 where there is no target).
step.safetensors: ``loss`` (scalar: mean cross-entropy over the labelled tokens), ``grad.<key>`` for every trained
parameter, then after one AdamW step (betas 0.9/0.999, eps 1e-8)
``param.<key>``, ``exp_avg.<key>`` and ``exp_avg_sq.<key>`` (decay on all but biases and LayerNorm weights); with
--logits also ``logits`` [B, T, vocab] over the text positions (small vocabularies only). Dropout is off (eval mode): both sides compute the same
function. Parts without weights in DIR are initialised with --seed, so DIR should hold every weight for a
comparison.
"""
import argparse
import sys

import torch

from . import config
from . import safetensors as st
from .engines import BETAS, EPS, param_groups
from .model import vlm


def step(model_dir, batch, lr=1e-4, weight_decay=0.0, freeze="none", grad_clip=0.0, seed=0, logits=False):
    """{name: tensor} of the step (see the module doc); with ``logits`` also the LM's logits over the text positions."""
    cfg = config.read(model_dir)
    model, _ = vlm.build(cfg, model_dir, seed)
    vlm.apply_freeze(model, freeze)
    model.eval()
    extra = {}
    if logits:
        with torch.no_grad():
            extra["logits"] = model.text_logits(batch["pixel_values"].float(), batch["input_ids"].long(),
                                                batch["attention_mask"].long())
    total, n = model(batch["pixel_values"].float(), batch["input_ids"].long(), batch["attention_mask"].long(),
                     batch["labels"].long())
    loss = total / n
    loss.backward()
    groups = param_groups(model, weight_decay)
    names = [nm for g in groups for nm in g["names"]]
    params = [p for g in groups for p in g["params"]]
    out = {"loss": loss.detach().reshape(()), **extra}
    for nm, p in zip(names, params):
        out["grad." + nm] = p.grad.detach().clone()
    if grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(params, grad_clip)
    opt = torch.optim.AdamW([{"params": g["params"], "weight_decay": g["weight_decay"]} for g in groups], lr=lr,
                            betas=BETAS, eps=EPS)
    opt.step()
    for nm, p in zip(names, params):
        s = opt.state[p]
        out["param." + nm] = p.detach().clone()
        out["exp_avg." + nm] = s["exp_avg"].detach().clone()
        out["exp_avg_sq." + nm] = s["exp_avg_sq"].detach().clone()
    return out


def main(argv=None):
    p = argparse.ArgumentParser(prog="python3 -m medvlm.stepcheck", description=__doc__.splitlines()[0])
    p.add_argument("--model", required=True)
    p.add_argument("--batch", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--grad-clip", type=float, default=0.0)
    p.add_argument("--freeze", choices=vlm.FREEZE_POLICIES, default="none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--logits", action="store_true", help="also write the logits over the text positions [B, T, vocab]")
    a = p.parse_args(argv)
    try:
        batch = st.load_file(a.batch)
        missing = {"pixel_values", "input_ids", "attention_mask", "labels"} - set(batch)
        if missing:
            raise ValueError(f"{a.batch}: missing {sorted(missing)}")
        out = step(a.model, batch, a.lr, a.weight_decay, a.freeze, a.grad_clip, a.seed, a.logits)
        st.save_file(out, a.out)
    except (ValueError, OSError) as e:
        print(f"medvlm stepcheck: {e}", file=sys.stderr)
        return 1
    print(f"loss {float(out['loss']):.6f}; {sum(k.startswith('grad.') for k in out)} trained tensors -> {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
