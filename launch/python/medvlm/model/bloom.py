"""BLOOM, all of it in this file, in reading order: alibi, Attention, Mlp, Block, Bloom. Semantics and key names follow
transformers' modeling_bloom.py (Hub files have no ``transformer.`` prefix): word_embeddings,
word_embeddings_layernorm, h.N.{input_layernorm, self_attention.{query_key_value, dense}, post_attention_layernorm,
mlp.{dense_h_to_4h, dense_4h_to_h}}, ln_f; the LM head is the embedding table (tied).

Shapes: B batch, T tokens, C hidden, nh heads, hd head_dim.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention import attend, maybe_checkpoint


def alibi_slopes(n_head):
    """HF build_alibi_tensor's slopes: with cp = 2^floor(log2 n) and base = 2^(-8/cp) the first cp heads get base^1..cp;
    other heads take the odd powers 1, 3, 5, ... of 2^(-4/cp) (the slopes of a 2cp-head model, in between)."""
    cp = 2 ** math.floor(math.log2(n_head))
    base = 2 ** (-(2 ** -(math.log2(cp) - 3)))
    slopes = [base ** (i + 1) for i in range(cp)]
    if cp != n_head:
        extra = 2 ** (-(2 ** -(math.log2(2 * cp) - 3)))
        slopes += [extra ** (2 * i + 1) for i in range(n_head - cp)]
    return torch.tensor(slopes, dtype=torch.float32)


def attention_bias(attention_mask, slopes, dtype):
    """ALiBi plus the causal and padding mask, (B, nh, T, T), shared by all layers.

    ALiBi is slope x key position, with position = (cumsum(mask) - 1) * mask: positions count real tokens only, so a
    row with padding in front gets the biases of the unpadded sequence (and a visual prefix takes positions 0..Q-1).
    The bias depends on the key only; the query's own position cancels in the softmax. Hidden keys get finfo.min,
    not -inf, as in HF, so a query that sees only padding softmaxes to an average instead of NaN."""
    B, T = attention_mask.shape
    mask = attention_mask.to(torch.float32)
    positions = (mask.cumsum(-1) - 1) * mask  # (B, T)
    alibi = slopes.to(mask.device)[None, :, None, None] * positions[:, None, None, :]  # (B, nh, 1, T), float32
    causal = torch.ones(T, T, dtype=torch.bool, device=mask.device).tril()  # query i sees keys 0..i
    visible = causal[None, None] & (attention_mask[:, None, None, :] > 0)  # (B, 1, T, T)
    hidden = (~visible).to(dtype) * torch.finfo(dtype).min
    return hidden + alibi.to(dtype)  # (B, nh, T, T)


class Attention(nn.Module):
    """Self-attention with BLOOM's fused query_key_value, whose rows are grouped per head as (nh, 3, hd)."""

    def __init__(self, cfg):
        super().__init__()
        self.n_head = cfg.n_head
        self.query_key_value = nn.Linear(cfg.hidden_size, 3 * cfg.hidden_size)
        self.dense = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.attention_dropout = cfg.attention_dropout
        self.hidden_dropout = nn.Dropout(cfg.hidden_dropout)

    def forward(self, x, bias):
        B, T, C = x.shape
        hd = C // self.n_head
        # head h owns rows [h*3hd, (h+1)*3hd) in the order q, k, v: NOT timm's [Q-all | K-all | V-all]
        fused = self.query_key_value(x).view(B, T, self.n_head, 3, hd)  # (B, T, nh, 3, hd)
        q, k, v = (fused[:, :, :, i].transpose(1, 2) for i in range(3))  # (B, nh, T, hd)
        out = attend(q, k, v, bias, dropout_p=self.attention_dropout if self.training else 0.0)  # (B, nh, T, hd)
        return self.hidden_dropout(self.dense(out.transpose(1, 2).reshape(B, T, C)))


def bloom_gelu(x):
    """HF bloom_gelu_forward: 0.5 x (1 + tanh(0.79788456 x (1 + 0.044715 x^2)))."""
    return x * 0.5 * (1.0 + torch.tanh(0.79788456 * x * (1 + 0.044715 * x * x)))


class Mlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense_h_to_4h = nn.Linear(cfg.hidden_size, 4 * cfg.hidden_size)
        self.dense_4h_to_h = nn.Linear(4 * cfg.hidden_size, cfg.hidden_size)
        self.hidden_dropout = nn.Dropout(cfg.hidden_dropout)

    def forward(self, x):
        return self.hidden_dropout(self.dense_4h_to_h(bloom_gelu(self.dense_h_to_4h(x))))


class Block(nn.Module):
    """Pre-LN block; the residual is the block input (apply_residual_connection_post_layernorm is false for BLOOM)."""

    def __init__(self, cfg):
        super().__init__()
        self.input_layernorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_epsilon)
        self.self_attention = Attention(cfg)
        self.post_attention_layernorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_epsilon)
        self.mlp = Mlp(cfg)
        self.residual_from_norm = cfg.apply_residual_connection_post_layernorm

    def forward(self, x, bias):
        ln1 = self.input_layernorm(x)
        x = self.self_attention(ln1, bias) + (ln1 if self.residual_from_norm else x)
        ln2 = self.post_attention_layernorm(x)
        return self.mlp(ln2) + (ln2 if self.residual_from_norm else x)


class Bloom(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.gradient_checkpointing = False
        self.word_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.word_embeddings_layernorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_epsilon)
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_epsilon)
        if not cfg.tie_word_embeddings:
            self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)

    def init_weights(self):
        """HF _init_weights: Linear and Embedding normal(0.02), zero bias, LayerNorm 1/0."""
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
                if getattr(m, "bias", None) is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def head_weight(self):
        return self.word_embeddings.weight if self.cfg.tie_word_embeddings else self.lm_head.weight

    def forward(self, inputs_embeds, attention_mask, before_block=None):
        """Final hidden states after ln_f for inputs_embeds (B, T, C) and mask (B, T).

        As in HF, word_embeddings_layernorm applies to the whole embedded sequence, so a visual prefix passed in here
        is normalised like the word embeddings. ``before_block`` maps a layer index to a function applied to the
        hidden state before that block (the Flamingo fusion's gated cross-attention)."""
        x = self.word_embeddings_layernorm(inputs_embeds)  # (B, T, C)
        # slopes are made here, not kept as a buffer, so casting the model to 16 bits never rounds them
        bias = attention_bias(attention_mask, alibi_slopes(self.cfg.n_head), x.dtype)  # (B, nh, T, T)
        for i, block in enumerate(self.h):
            if before_block is not None and i in before_block:
                x = before_block[i](x)
            x = maybe_checkpoint(block, self.gradient_checkpointing, x, bias)
        return self.ln_f(x)

    def logits(self, input_ids, attention_mask):
        """Full logits (B, T, vocab): for checks and small vocabularies only (training uses the chunked loss)."""
        hidden = self.forward(self.word_embeddings(input_ids), attention_mask)
        return F.linear(hidden, self.head_weight())
