"""timm's VisionTransformer, all of it in this file: patch embedding (optionally behind a small conv stem), class
token, learned position embeddings, pre-norm blocks of fused-qkv attention and an exact-GELU MLP, the final norm.
Attribute paths are timm's state-dict keys (``patch_embed.proj.weight``, ``blocks.3.attn.qkv.weight``).

Shapes for BiomedCLIP's ViT-B/16: pixels (B, 3, 224, 224) -> forward_features (B, 197, 768): class token first.
"""
import torch
import torch.nn as nn

from .attention import attend, maybe_checkpoint


class PatchEmbed(nn.Module):
    """A stride-k convolution ``proj`` flattened to tokens. With ``conv_stem_channels`` [c1, ..., cn] a hybrid stem
    (``backbone``: Conv2d 3x3 stride 2 + ``conv_stem_act`` (ReLU, or exact GELU) per channel count, keys backbone.0,
    .2, ...) comes first and proj's kernel shrinks to patch_size / 2^n, so tokens stay patch_size input pixels
    apart."""

    def __init__(self, cfg):
        super().__init__()
        in_ch = cfg.in_chans
        kernel = cfg.patch_size
        if cfg.conv_stem_channels:
            layers = []
            for ch in cfg.conv_stem_channels:
                act = nn.ReLU() if cfg.conv_stem_act == "relu" else nn.GELU()
                layers += [nn.Conv2d(in_ch, ch, kernel_size=3, stride=2, padding=1), act]
                in_ch = ch
            self.backbone = nn.Sequential(*layers)
            kernel = cfg.patch_size // (2 ** len(cfg.conv_stem_channels))
        else:
            self.backbone = nn.Identity()
        # CLIP-style towers (pre_norm) have no bias here: norm_pre follows at once
        self.proj = nn.Conv2d(in_ch, cfg.embed_dim, kernel_size=kernel, stride=kernel, bias=not cfg.pre_norm)

    def forward(self, x):
        x = self.proj(self.backbone(x))  # (B, D, gh, gw)
        return x.flatten(2).transpose(1, 2)  # (B, gh*gw, D)


class Attention(nn.Module):
    """Fused qkv whose output rows are [Q of all heads | K | V] (timm's layout; BLOOM interleaves per head)."""

    def __init__(self, cfg):
        super().__init__()
        self.num_heads = cfg.num_heads
        self.qkv = nn.Linear(cfg.embed_dim, 3 * cfg.embed_dim, bias=cfg.qkv_bias)
        self.attn_drop = cfg.attn_drop_rate
        self.proj = nn.Linear(cfg.embed_dim, cfg.embed_dim)
        self.proj_drop = nn.Dropout(cfg.proj_drop_rate)

    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)  # (3, B, nh, N, hd)
        out = attend(qkv[0], qkv[1], qkv[2], dropout_p=self.attn_drop if self.training else 0.0)  # (B, nh, N, hd)
        return self.proj_drop(self.proj(out.transpose(1, 2).reshape(B, N, C)))


class Mlp(nn.Module):
    """fc1 -> exact GELU -> dropout -> fc2 -> dropout (timm's Mlp with drop=proj_drop_rate)."""

    def __init__(self, cfg):
        super().__init__()
        hidden = int(cfg.embed_dim * cfg.mlp_ratio)
        self.fc1 = nn.Linear(cfg.embed_dim, hidden)
        self.act = nn.GELU()
        self.drop1 = nn.Dropout(cfg.proj_drop_rate)
        self.fc2 = nn.Linear(hidden, cfg.embed_dim)
        self.drop2 = nn.Dropout(cfg.proj_drop_rate)

    def forward(self, x):
        return self.drop2(self.fc2(self.drop1(self.act(self.fc1(x)))))


class LayerScale(nn.Module):
    def __init__(self, dim, init_values):
        super().__init__()
        self.gamma = nn.Parameter(init_values * torch.ones(dim))

    def forward(self, x):
        return x * self.gamma


class Block(nn.Module):
    """Pre-norm: x + ls1(attn(norm1(x))), then x + ls2(mlp(norm2(x))); without init_values ls1/ls2 are identities."""

    def __init__(self, cfg):
        super().__init__()
        self.norm1 = nn.LayerNorm(cfg.embed_dim, eps=cfg.layer_norm_eps)
        self.attn = Attention(cfg)
        self.ls1 = LayerScale(cfg.embed_dim, cfg.init_values) if cfg.init_values else nn.Identity()
        self.norm2 = nn.LayerNorm(cfg.embed_dim, eps=cfg.layer_norm_eps)
        self.mlp = Mlp(cfg)
        self.ls2 = LayerScale(cfg.embed_dim, cfg.init_values) if cfg.init_values else nn.Identity()

    def forward(self, x):
        x = x + self.ls1(self.attn(self.norm1(x)))
        return x + self.ls2(self.mlp(self.norm2(x)))


class VisionTransformer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.gradient_checkpointing = False
        d = cfg.embed_dim
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d)) if cfg.class_token else None
        self.pos_embed = nn.Parameter(torch.zeros(1, cfg.num_tokens, d))
        self.pos_drop = nn.Dropout(cfg.drop_rate)
        self.patch_embed = PatchEmbed(cfg)
        self.norm_pre = nn.LayerNorm(d, eps=cfg.layer_norm_eps) if cfg.pre_norm else nn.Identity()
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.depth)])
        avg = cfg.global_pool == "avg"
        # timm moves the final norm after pooling (fc_norm) when pooling by average
        self.norm = nn.Identity() if avg else nn.LayerNorm(d, eps=cfg.layer_norm_eps)
        self.fc_norm = nn.LayerNorm(d, eps=cfg.layer_norm_eps) if avg else nn.Identity()
        self.head_drop = nn.Dropout(cfg.drop_rate)
        self.head = nn.Linear(d, cfg.num_classes) if cfg.num_classes > 0 else nn.Identity()

    def init_weights(self):
        """timm-style: pos_embed and cls_token trunc-normal(0.02), Linear normal(0.02) with zero bias, LayerNorm 1/0;
        convolutions keep PyTorch's default (seeded) init."""
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        if self.cls_token is not None:
            nn.init.trunc_normal_(self.cls_token, std=0.02)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def forward_features(self, pixels):
        """All tokens after the final norm: pixels (B, C, H, W) -> (B, N, D); what the Q-Former reads."""
        x = self.patch_embed(pixels)  # (B, gh*gw, D)
        if self.cls_token is not None:
            x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)  # (B, 1 + gh*gw, D)
        x = self.norm_pre(self.pos_drop(x + self.pos_embed))
        for block in self.blocks:
            x = maybe_checkpoint(block, self.gradient_checkpointing, x)
        return self.norm(x)

    def forward_head(self, x, pre_logits=False):
        x = x[:, 0] if self.cfg.global_pool == "token" else x[:, 1 if self.cls_token is not None else 0:].mean(dim=1)
        x = self.head_drop(self.fc_norm(x))
        return x if pre_logits else self.head(x)

    def forward(self, pixels):
        return self.forward_head(self.forward_features(pixels))
