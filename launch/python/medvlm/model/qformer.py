"""HF's Blip2QFormerModel, all of it in this file: a LayerNorm on the query embeddings, then BERT-style post-LN layers
of self-attention over the queries, cross-attention to the image tokens on every cross_attention_frequency-th layer
(index % frequency == 0) and the query feed-forward (intermediate_query, output_query). Attribute paths are the keys
of a saved Blip2QFormerModel (``layernorm.weight``, ``encoder.layer.0.crossattention.attention.key.weight``).

Shapes with BiomedCLIP and BLIP-2's defaults: queries (B, 32, 768), image tokens (B, 197, 768) -> (B, 32, 768).
"""
import torch.nn as nn
import torch.nn.functional as F

from .attention import attend, maybe_checkpoint

ACTIVATIONS = {"gelu": lambda x: F.gelu(x), "relu": F.relu,
               "gelu_new": lambda x: F.gelu(x, approximate="tanh"),
               "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh")}


class MultiHeadAttention(nn.Module):
    """``query``, ``key``, ``value``; key and value read kv_width-wide inputs (the image width for cross-attention)."""

    def __init__(self, cfg, kv_width):
        super().__init__()
        self.num_heads = cfg.num_attention_heads
        self.query = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.key = nn.Linear(kv_width, cfg.hidden_size)
        self.value = nn.Linear(kv_width, cfg.hidden_size)
        self.dropout_p = cfg.attention_probs_dropout_prob

    def forward(self, x, context):
        B, N, H = x.shape
        M = context.shape[1]
        hd = H // self.num_heads
        q = self.query(x).view(B, N, self.num_heads, hd).transpose(1, 2)  # (B, nh, N, hd)
        k = self.key(context).view(B, M, self.num_heads, hd).transpose(1, 2)  # (B, nh, M, hd)
        v = self.value(context).view(B, M, self.num_heads, hd).transpose(1, 2)  # (B, nh, M, hd)
        out = attend(q, k, v, dropout_p=self.dropout_p if self.training else 0.0)  # (B, nh, N, hd)
        return out.transpose(1, 2).reshape(B, N, H)


class Output(nn.Module):
    """BERT's post-LN residual: LayerNorm(dropout(dense(x)) + input)."""

    def __init__(self, cfg, in_width):
        super().__init__()
        self.dense = nn.Linear(in_width, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    """``attention`` or ``crossattention``: attention.{query,key,value} then output.{dense,LayerNorm}."""

    def __init__(self, cfg, kv_width):
        super().__init__()
        self.attention = MultiHeadAttention(cfg, kv_width)
        self.output = Output(cfg, cfg.hidden_size)

    def forward(self, x, context):
        return self.output(self.attention(x, context), x)


class Intermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.act = ACTIVATIONS[cfg.hidden_act]

    def forward(self, x):
        return self.act(self.dense(x))


class Layer(nn.Module):
    def __init__(self, cfg, index):
        super().__init__()
        self.attention = Attention(cfg, cfg.hidden_size)
        self.has_cross = index % cfg.cross_attention_frequency == 0
        if self.has_cross:
            self.crossattention = Attention(cfg, cfg.encoder_hidden_size)
        self.intermediate_query = Intermediate(cfg)
        self.output_query = Output(cfg, cfg.intermediate_size)

    def forward(self, x, image):
        h = self.attention(x, x)
        if self.has_cross:
            h = self.crossattention(h, image)
        return self.output_query(self.intermediate_query(h), h)


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([Layer(cfg, i) for i in range(cfg.num_hidden_layers)])


class QFormer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.gradient_checkpointing = False
        self.layernorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(cfg.hidden_dropout_prob)
        self.encoder = Encoder(cfg)

    def init_weights(self):
        """HF's _init_weights: Linear normal(0.02) with zero bias, LayerNorm 1/0."""
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward(self, query_embeds, image_tokens):
        """last_hidden_state: queries (B, Q, H) attend to each other and to image tokens (B, N, E) -> (B, Q, H)."""
        x = self.dropout(self.layernorm(query_embeds))
        for layer in self.encoder.layer:
            x = maybe_checkpoint(layer, self.gradient_checkpointing, x, image_tokens)
        return x
