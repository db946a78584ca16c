"""The Flamingo path (OpenFlamingo names): ``perceiver`` resamples the image tokens to a fixed number of latents, and
``gated_cross_attn_layers.i`` runs before BLOOM layer i for every i with (i + 1) % every == 0. Gates start at 0
(tanh(0) = 0), so an untrained fusion leaves the language model unchanged. One image per sample: every text token
sees every latent (OpenFlamingo's "only the preceding image" mask selects the same latents)."""
import torch
import torch.nn as nn

from .attention import attend


def feed_forward(dim, mult):
    """OpenFlamingo's FeedForward: keys 0 (LayerNorm), 1 and 3 (bias-free Linear), exact GELU between."""
    return nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, dim * mult, bias=False), nn.GELU(),
                         nn.Linear(dim * mult, dim, bias=False))


def split_heads(x, heads):
    B, T, HD = x.shape
    return x.view(B, T, heads, HD // heads).transpose(1, 2)  # (B, h, T, d)


def merge_heads(x):
    B, h, T, d = x.shape
    return x.transpose(1, 2).reshape(B, T, h * d)


class PerceiverAttention(nn.Module):
    """Latents attend to [media; latents] (keys and values from both)."""

    def __init__(self, dim, heads, dim_head):
        super().__init__()
        self.heads = heads
        inner = heads * dim_head
        self.norm_media = nn.LayerNorm(dim)
        self.norm_latents = nn.LayerNorm(dim)
        self.to_q = nn.Linear(dim, inner, bias=False)
        self.to_kv = nn.Linear(dim, 2 * inner, bias=False)
        self.to_out = nn.Linear(inner, dim, bias=False)

    def forward(self, media, latents):
        x = self.norm_media(media)  # (B, N, dim)
        lat = self.norm_latents(latents)  # (B, n, dim)
        k, v = self.to_kv(torch.cat([x, lat], dim=1)).chunk(2, dim=-1)  # (B, N + n, h*d) each
        out = attend(split_heads(self.to_q(lat), self.heads), split_heads(k, self.heads), split_heads(v, self.heads))
        return self.to_out(merge_heads(out))


class PerceiverResampler(nn.Module):
    """Visual tokens (B, N, dim) -> latents (B, num_latents, dim)."""

    def __init__(self, dim, depth, num_latents, heads, dim_head, ff_mult):
        super().__init__()
        self.latents = nn.Parameter(torch.randn(num_latents, dim))
        self.layers = nn.ModuleList([nn.ModuleList([PerceiverAttention(dim, heads, dim_head), feed_forward(dim, ff_mult)])
                                     for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, media):
        lat = self.latents.expand(media.shape[0], -1, -1)  # (B, n, dim)
        for attn, ff in self.layers:
            lat = attn(media, lat) + lat
            lat = ff(lat) + lat
        return self.norm(lat)


class MaskedCrossAttention(nn.Module):
    """Text queries attend to the visual latents."""

    def __init__(self, dim, dim_visual, heads, dim_head):
        super().__init__()
        self.heads = heads
        inner = heads * dim_head
        self.norm = nn.LayerNorm(dim)
        self.to_q = nn.Linear(dim, inner, bias=False)
        self.to_kv = nn.Linear(dim_visual, 2 * inner, bias=False)
        self.to_out = nn.Linear(inner, dim, bias=False)

    def forward(self, x, media):
        k, v = self.to_kv(media).chunk(2, dim=-1)
        out = attend(split_heads(self.to_q(self.norm(x)), self.heads), split_heads(k, self.heads),
                     split_heads(v, self.heads))
        return self.to_out(merge_heads(out))


class GatedCrossAttentionBlock(nn.Module):
    """x = tanh(attn_gate) attn(x, media) + x; x = tanh(ff_gate) ff(x) + x."""

    def __init__(self, dim, dim_visual, heads, dim_head, ff_mult):
        super().__init__()
        self.attn = MaskedCrossAttention(dim, dim_visual, heads, dim_head)
        self.attn_gate = nn.Parameter(torch.zeros(1))
        self.ff = feed_forward(dim, ff_mult)
        self.ff_gate = nn.Parameter(torch.zeros(1))

    def forward(self, x, media):
        x = self.attn(x, media) * self.attn_gate.tanh() + x
        return self.ff(x) * self.ff_gate.tanh() + x


def init_weights(module):
    """HF-style: Linear normal(0.02), LayerNorm 1/0, latents normal(0.02); gates stay 0."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)
        elif isinstance(m, PerceiverResampler):
            nn.init.normal_(m.latents, std=0.02)
        elif isinstance(m, GatedCrossAttentionBlock):
            nn.init.zeros_(m.attn_gate)
            nn.init.zeros_(m.ff_gate)
