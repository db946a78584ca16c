"""The medical VLM: a ViT reads the image, a fusion hands it to BLOOM, BLOOM predicts the answer.

Checkpoint keys are the composite's (HF Blip2ForConditionalGeneration names): ``vision_model.*`` (timm),
``query_tokens`` [1, Q, H], ``qformer.*``, ``language_projection.*``, ``language_model.*`` (BLOOM Hub names); the gated
fusion has ``perceiver.*`` and ``gated_cross_attn_layers.N.*`` instead of the three Q-Former parts; LoRA adds
``language_model.h.N.self_attention.{query_key_value,dense}.lora_{A,B}.weight``.

Sequence layout (both fusions, one row per sample; the batch helper in ``medvlm.data`` builds it):

    qformer:  [Q visual tokens | left padding | prompt | answer + EOS]
    gated:    [left padding | prompt | answer + EOS]

``attention_mask`` is 1 on visual, prompt and answer tokens and 0 on padding; ``labels`` has the token id on answer and
EOS positions and -100 elsewhere (visual prefix, padding, prompt), aligned with ``input_ids``: the hidden state at
position t - 1 predicts labels[t]. ALiBi positions are the cumulative sum of the mask, so padding shifts nothing: the
visual tokens take positions 0..Q-1 and the prompt continues at Q, exactly as when the Java model answers.
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from .. import safetensors as st
from . import flamingo
from .bloom import Bloom
from .lora import add_lora
from .qformer import QFormer
from .vit import VisionTransformer

IGNORE = -100
LOSS_CHUNK = 1024  # positions whose logits exist at once: 1024 x 250,880 fp32 logits are 1 GB


def _chunk_loss(hidden, weight, targets):
    logits = F.linear(hidden, weight).float()  # (n, vocab), float32 whatever the compute type
    return F.cross_entropy(logits, targets, reduction="sum")


def chunked_cross_entropy(hidden, weight, labels, chunk=LOSS_CHUNK):
    """Summed cross-entropy of the positions whose label is not -100, and their count.

    hidden (B, T, C) predicts labels (B, T) position by position (already shifted). Only labelled positions are
    projected to the vocabulary, ``chunk`` at a time, and each chunk is recomputed in backward instead of stored, so
    BLOOM's 250,880-token logits never exist in float32 for all positions at once."""
    keep = labels != IGNORE
    h = hidden[keep]  # (N, C)
    y = labels[keep]  # (N,)
    total = hidden.new_zeros((), dtype=torch.float32)
    for i in range(0, h.shape[0], chunk):
        if torch.is_grad_enabled():
            total = total + checkpoint(_chunk_loss, h[i:i + chunk], weight, y[i:i + chunk], use_reentrant=False)
        else:
            total = total + _chunk_loss(h[i:i + chunk], weight, y[i:i + chunk])
    return total, int(y.numel())


class MedVlm(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.vision_model = VisionTransformer(cfg.vision)
        if cfg.fusion == "qformer":
            q = cfg.qformer
            self.query_tokens = nn.Parameter(torch.zeros(1, cfg.num_query_tokens, q.hidden_size))
            self.qformer = QFormer(q)
            self.language_projection = nn.Linear(q.hidden_size, cfg.text.hidden_size)
        else:
            g = cfg.gated
            self.perceiver = flamingo.PerceiverResampler(cfg.vision.embed_dim, g.perceiver_depth, g.num_latents,
                                                         g.heads, g.dim_head, g.ff_mult)
            self.gated_cross_attn_layers = nn.ModuleDict({
                str(i): flamingo.GatedCrossAttentionBlock(cfg.text.hidden_size, cfg.vision.embed_dim, g.heads,
                                                          g.dim_head, g.ff_mult)
                for i in range(cfg.text.n_layer) if (i + 1) % g.cross_attn_every_n_layers == 0})
        self.language_model = Bloom(cfg.text)

    # ------------------------------------------------------------------ initialisation

    def init_weights(self):
        """HF-style init of every part (the loader then overwrites the parts that have weights)."""
        self.vision_model.init_weights()
        if self.cfg.fusion == "qformer":
            nn.init.normal_(self.query_tokens, std=0.02)
            self.qformer.init_weights()
            nn.init.normal_(self.language_projection.weight, std=0.02)
            nn.init.zeros_(self.language_projection.bias)
        else:
            flamingo.init_weights(self.perceiver)
            flamingo.init_weights(self.gated_cross_attn_layers)
        self.language_model.init_weights()

    def add_lora(self, lora_cfg):
        self.cfg.lora = lora_cfg
        return add_lora(self.language_model, lora_cfg)

    def set_gradient_checkpointing(self, on):
        self.vision_model.gradient_checkpointing = on
        if self.cfg.fusion == "qformer":
            self.qformer.gradient_checkpointing = on
        self.language_model.gradient_checkpointing = on

    # ------------------------------------------------------------------ forward

    def _text_hidden(self, pixel_values, input_ids, attention_mask):
        """Final hidden states of the text positions (B, T, C)."""
        vision_dtype = self.vision_model.pos_embed.dtype
        frozen_vision = not any(p.requires_grad for p in self.vision_model.parameters())
        with torch.set_grad_enabled(torch.is_grad_enabled() and not frozen_vision):
            features = self.vision_model.forward_features(pixel_values.to(vision_dtype))  # (B, N, D)
        lm = self.language_model
        embeds = lm.word_embeddings(input_ids)  # (B, T, C)
        if self.cfg.fusion == "qformer":
            B = input_ids.shape[0]
            queries = self.query_tokens.expand(B, -1, -1)  # (B, Q, H)
            prefix = self.language_projection(self.qformer(queries.to(features.dtype), features))  # (B, Q, C)
            Q = prefix.shape[1]
            mask = torch.cat([attention_mask.new_ones(B, Q), attention_mask], dim=1)  # (B, Q + T)
            hidden = lm(torch.cat([prefix.to(embeds.dtype), embeds], dim=1), mask)  # (B, Q + T, C)
            return hidden[:, Q:]
        latents = self.perceiver(features)  # (B, n, D)
        hooks = {int(i): (lambda x, block=block: block(x, latents)) for i, block in self.gated_cross_attn_layers.items()}
        return lm(embeds, attention_mask, hooks)

    def text_logits(self, pixel_values, input_ids, attention_mask):
        """Logits over every text position (B, T, vocab): for checks on small vocabularies only."""
        return F.linear(self._text_hidden(pixel_values, input_ids, attention_mask), self.language_model.head_weight())

    def forward(self, pixel_values, input_ids, attention_mask, labels=None):
        """With labels: (summed loss over answer tokens, their count). Without: the last position's logits (B, vocab),
        what greedy decoding needs (one entry point, so FSDP and DeepSpeed see every call)."""
        hidden = self._text_hidden(pixel_values, input_ids, attention_mask)
        weight = self.language_model.head_weight()
        if labels is None:
            return F.linear(hidden[:, -1], weight).float()
        return chunked_cross_entropy(hidden[:, :-1], weight, labels[:, 1:])


# ---------------------------------------------------------------------- freezing

FREEZE_POLICIES = ("blip2", "gated", "none", "lora")


def apply_freeze(model, policy):
    """Sets requires_grad per policy and returns the names of the trainable parameters.

    blip2: query_tokens, qformer, language_projection; gated: perceiver and gated cross-attention; none: everything;
    lora: the LoRA adapters and the fusion (the model must have LoRA layers)."""
    fusion = model.cfg.fusion
    if policy == "blip2" and fusion != "qformer":
        raise ValueError("--freeze blip2 trains the Q-Former: the model's fusion is \"gated\" (use --freeze gated)")
    if policy == "gated" and fusion != "gated":
        raise ValueError("--freeze gated trains the gated cross-attention: the model's fusion is \"qformer\"")
    if policy == "lora" and model.cfg.lora is None:
        raise ValueError("--freeze lora needs LoRA adapters (lora_config or --lora-r)")
    fusion_prefixes = ("query_tokens", "qformer.", "language_projection.") if fusion == "qformer" \
        else ("perceiver.", "gated_cross_attn_layers.")
    trainable = []
    for name, p in model.named_parameters():
        if policy == "none":
            on = True
        elif policy in ("blip2", "gated"):
            on = name.startswith(fusion_prefixes)
        else:
            on = name.startswith(fusion_prefixes) or ".lora_A." in name or ".lora_B." in name
        p.requires_grad_(on)
        if on:
            trainable.append(name)
    return trainable


def set_train_mode(model):
    """Training mode, except parts with nothing to train (a frozen ViT or LM runs as in inference, dropout off, as
    BLIP-2 keeps its frozen encoder in eval mode)."""
    model.train()
    for part in (model.vision_model, model.language_model):
        if not any(p.requires_grad for p in part.parameters()):
            part.eval()


# ---------------------------------------------------------------------- loading

class LoadError(ValueError):
    """A checkpoint that does not fit the model; the message names the file and the keys."""


def _vision_keys(sd):
    """A vision part folder in timm names, or BiomedCLIP's open_clip file: keep the trunk under timm names."""
    if "visual.trunk.pos_embed" in sd:
        return {k[len("visual.trunk."):]: k for k in sd.keys() if k.startswith("visual.trunk.")}
    return {k: k for k in sd.keys()}


def _text_keys(sd, tied):
    out = {}
    for k in sd.keys():
        name = k[len("transformer."):] if k.startswith("transformer.") else k
        if tied and name == "lm_head.weight":
            continue
        out[name] = k
    return out


def _qformer_keys(sd):
    """A saved Blip2QFormerModel (layernorm.*, encoder.*), or a whole BLIP-2 checkpoint (qformer.*, query_tokens, ...)."""
    keys = sd.keys()
    if any(k.startswith("qformer.") for k in keys):
        return {k: k for k in keys if k.startswith(("qformer.", "query_tokens", "language_projection."))}
    return {"qformer." + k: k for k in keys if k.startswith(("layernorm.", "encoder."))}


def _is_lora(key):
    return ".lora_A." in key or ".lora_B." in key


def _composite_name(key):
    """Readers also accept language_model.transformer.* (a BloomForCausalLM inside the composite)."""
    prefix = "language_model.transformer."
    return "language_model." + key[len(prefix):] if key.startswith(prefix) else key


def load_weights(model, cfg, model_dir):
    """Loads the parts that have weights, strictly per part, and returns {part: where its weights came from}.

    The composite's own file wins; a part absent there comes from its part folder (config.json naming a folder that
    holds weights); a part with neither keeps its seeded initialisation. A part found is loaded whole: a missing or
    unexpected key or a shape mismatch fails naming the key and the file."""
    own = model.state_dict()
    fusion_prefixes = ("query_tokens", "qformer.", "language_projection.") if cfg.fusion == "qformer" \
        else ("perceiver.", "gated_cross_attn_layers.")
    parts = [("vision", ("vision_model.",), "vision_config"), ("fusion", fusion_prefixes, "qformer_config"),
             ("text", ("language_model.",), "text_config")]
    report = {}
    composite = st.StateDict(model_dir) if st.has_weights(model_dir) else None
    try:
        comp_keys = {_composite_name(k): k for k in (composite.keys() if composite else [])}
        for part, prefixes, cfg_key in parts:
            wanted = {k for k in own if k.startswith(prefixes) and not _is_lora(k)}
            if part == "text" and cfg.text.tie_word_embeddings:
                wanted.discard("language_model.lm_head.weight")
            found = {k: v for k, v in comp_keys.items() if k.startswith(prefixes) and not _is_lora(k)}
            if part == "text" and cfg.text.tie_word_embeddings:
                found.pop("language_model.lm_head.weight", None)
            if found:
                _copy(model, own, wanted, found, composite, f"{composite.path} ({part})")
                report[part] = composite.path
                continue
            folder = cfg.part_dirs.get(cfg_key) if part != "fusion" or cfg.fusion == "qformer" else None
            if folder and st.has_weights(folder):
                with st.StateDict(folder) as sd:
                    if part == "vision":
                        names = {"vision_model." + k: v for k, v in _vision_keys(sd).items()}
                    elif part == "text":
                        names = {"language_model." + k: v for k, v in _text_keys(sd, cfg.text.tie_word_embeddings).items()}
                    else:
                        names = _qformer_keys(sd)
                        # a saved Q-Former alone has no query_tokens or projection: those keep their init
                        if not any(k.startswith("query_tokens") for k in names):
                            wanted = {k for k in wanted if k.startswith("qformer.")}
                    _copy(model, own, wanted, names, sd, f"{sd.path} ({part})")
                    report[part] = sd.path
                continue
            report[part] = "initialised"
        lora_found = {k: v for k, v in comp_keys.items() if _is_lora(k)}
        lora_wanted = {k for k in own if _is_lora(k)}
        if lora_found or lora_wanted:
            if lora_found and not lora_wanted:
                raise LoadError(f"{composite.path}: holds LoRA weights ({next(iter(lora_found))}) but config.json has "
                                "no lora_config")
            if lora_found:
                _copy(model, own, lora_wanted, lora_found, composite, f"{composite.path} (lora)")
                report["lora"] = composite.path
            else:
                report["lora"] = "initialised"
    finally:
        if composite is not None:
            composite.close()
    return report


def _copy(model, own, wanted, names, sd, where):
    """Copies sd[names[k]] into parameter k for every k in ``wanted``; refuses missing, unexpected or misshapen keys."""
    missing = sorted(wanted - set(names))
    unexpected = sorted(set(names) - wanted)
    if missing or unexpected:
        raise LoadError(f"{where}: checkpoint does not fit the model: missing {missing[:5]}"
                        f"{' ...' if len(missing) > 5 else ''} ({len(missing)}), unexpected {unexpected[:5]}"
                        f"{' ...' if len(unexpected) > 5 else ''} ({len(unexpected)})")
    for k in sorted(wanted):
        target = own[k]
        shape = sd.shape(names[k])
        if list(target.shape) != list(shape):
            raise LoadError(f"{where}: {names[k]}: expected {list(target.shape)}, got {list(shape)}")
    with torch.no_grad():
        for k in sorted(wanted):
            own[k].copy_(sd.get(names[k], own[k].dtype))


def build(cfg, model_dir, seed, lora_cfg=None):
    """The model of ``cfg``: seeded HF-style init, LoRA layers when configured, then every part that has weights
    loaded. Returns (model, report). The same seed gives the same weights on every rank and machine."""
    torch.manual_seed(seed)
    lora = lora_cfg or cfg.lora
    cfg.lora = None
    model = MedVlm(cfg)
    model.init_weights()
    if lora is not None:
        model.add_lora(lora)
    report = load_weights(model, cfg, model_dir)
    return model, report


def full_state_dict(model):
    """Every weight under its composite key, float32 (what model.safetensors holds)."""
    return {k: v.detach().float().cpu() for k, v in model.state_dict().items()}


def save_model_folder(state, cfg, out_dir, tokenizer_src):
    """config.json (parts nested, lora_config when LoRA), model.safetensors and tokenizer.json, each atomically."""
    import json
    import shutil
    os.makedirs(out_dir, exist_ok=True)
    st.save_file(state, os.path.join(out_dir, "model.safetensors"))
    text = json.dumps(cfg.to_json(), indent=2) + "\n"
    tmp = os.path.join(out_dir, "config.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, os.path.join(out_dir, "config.json"))
    if tokenizer_src:
        tmp = os.path.join(out_dir, "tokenizer.json.tmp")
        shutil.copyfile(tokenizer_src, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(out_dir, "tokenizer.json"))


def tokenizer_file(model_dir, cfg):
    """tokenizer.json of the model folder, or of its text part folder (a bloomz download)."""
    for folder in (model_dir, cfg.part_dirs.get("text_config")):
        if folder and os.path.isfile(os.path.join(folder, "tokenizer.json")):
            return os.path.join(folder, "tokenizer.json")
    return None
