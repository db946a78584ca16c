"""Softmax attention shared by every part: ``scaled_dot_product_attention`` where the installed torch has it
(2.0 and later: fused kernels that keep no score matrix), the plain formula otherwise (Debian's torch 1.13)."""
import math

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

HAS_SDPA = hasattr(F, "scaled_dot_product_attention")


def attend(q, k, v, bias=None, dropout_p=0.0):
    """q (B, nh, T, hd), k and v (B, nh, L, hd), an additive float bias broadcastable to (B, nh, T, L) -> (B, nh, T, hd).

    The scores are q.k / sqrt(hd) + bias, softmaxed in float32 when the inputs are 16-bit (as HF BLOOM upcasts)."""
    if HAS_SDPA:
        return F.scaled_dot_product_attention(q, k, v, attn_mask=None if bias is None else bias.to(q.dtype),
                                              dropout_p=dropout_p)
    scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.size(-1))  # (B, nh, T, L)
    if bias is not None:
        scores = scores + bias
    probs = torch.softmax(scores.float(), dim=-1).to(q.dtype)
    if dropout_p > 0:
        probs = F.dropout(probs, dropout_p)
    return torch.matmul(probs, v)


def maybe_checkpoint(module, enabled, *args):
    """module(*args), recomputed in backward instead of stored when ``enabled`` (activation checkpointing).

    The non-reentrant variant lets gradients reach trainable parameters inside a block whose inputs come from a
    frozen part (no input requires grad), which the reentrant one would silently skip."""
    if enabled and torch.is_grad_enabled():
        return checkpoint(module, *args, use_reentrant=False)
    return module(*args)
