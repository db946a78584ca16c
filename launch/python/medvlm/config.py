"""The model folder's ``config.json`` (FORMATS.md, schema 1), read into one dataclass per part.

Each part config is nested or a relative path to a part folder with its own config.json (a bloomz-560m download,
a converted BiomedCLIP). Names are those of timm's constructor, HF's Blip2QFormerConfig and BloomConfig, and
OpenFlamingo's sizes, with their defaults, so an HF config.json reads unchanged.
"""
import dataclasses
import json
import os
from typing import List, Optional


class ConfigError(ValueError):
    """A config that cannot be used; the message names the file and the field."""


def _fields(cls, d, where):
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {k: v for k, v in d.items() if k in names}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as e:
        raise ConfigError(f"{where}: {e}") from None


@dataclasses.dataclass
class VisionConfig:
    """timm VisionTransformer arguments; the defaults are BiomedCLIP's ViT-B/16 trunk."""
    img_size: int = 224
    patch_size: int = 16
    in_chans: int = 3
    embed_dim: int = 768
    depth: int = 12
    num_heads: int = 12
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    layer_norm_eps: float = 1e-6  # timm's, not torch's 1e-5
    class_token: bool = True
    global_pool: str = "token"
    pre_norm: bool = False
    init_values: Optional[float] = None  # LayerScale; None = no ls1/ls2
    num_classes: int = 0
    drop_rate: float = 0.0  # after pos embed and on the head input
    proj_drop_rate: float = 0.0  # after attn.proj and mlp.fc2
    attn_drop_rate: float = 0.0  # on the attention probabilities
    conv_stem_channels: Optional[List[int]] = None  # hybrid stem: stride-2 3x3 convs before patch_embed.proj
    conv_stem_act: str = "relu"  # the stem's activation after each conv: relu (timm's hybrid stems) or gelu

    def __post_init__(self):
        if isinstance(self.img_size, (list, tuple)):
            self.img_size = int(self.img_size[0])
        if isinstance(self.patch_size, (list, tuple)):
            self.patch_size = int(self.patch_size[0])
        if self.img_size % self.patch_size:
            raise ValueError(f"img_size {self.img_size} is not a multiple of patch_size {self.patch_size}")
        if self.embed_dim % self.num_heads:
            raise ValueError(f"embed_dim {self.embed_dim} is not a multiple of num_heads {self.num_heads}")
        if self.conv_stem_channels:
            n = len(self.conv_stem_channels)
            if self.patch_size % (2 ** n):
                raise ValueError(f"patch_size {self.patch_size} is not divisible by 2^{n} (conv_stem_channels)")
        if self.conv_stem_act not in ("relu", "gelu"):
            raise ValueError(f"conv_stem_act {self.conv_stem_act!r} is not supported (relu, gelu)")
        if self.global_pool not in ("token", "avg"):
            raise ValueError(f"global_pool {self.global_pool!r} is not supported (token, avg)")

    @property
    def num_tokens(self):
        return (self.img_size // self.patch_size) ** 2 + (1 if self.class_token else 0)


@dataclasses.dataclass
class QFormerConfig:
    """HF Blip2QFormerConfig; encoder_hidden_size defaults to the ViT width (as Blip2Config sets it)."""
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    encoder_hidden_size: Optional[int] = None
    cross_attention_frequency: int = 2
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"
    hidden_dropout_prob: float = 0.0
    attention_probs_dropout_prob: float = 0.0

    def __post_init__(self):
        if self.hidden_size % self.num_attention_heads:
            raise ValueError(f"hidden_size {self.hidden_size} is not a multiple of num_attention_heads "
                             f"{self.num_attention_heads}")
        if self.hidden_act not in ("gelu", "gelu_new", "gelu_pytorch_tanh", "relu"):
            raise ValueError(f"hidden_act {self.hidden_act!r} is not supported")


@dataclasses.dataclass
class GatedConfig:
    """OpenFlamingo sizes: a perceiver and tanh-gated cross-attention before every n-th BLOOM layer."""
    cross_attn_every_n_layers: int = 1
    perceiver_depth: int = 6
    num_latents: Optional[int] = None  # default: num_query_tokens
    heads: int = 8
    dim_head: int = 64
    ff_mult: int = 4


@dataclasses.dataclass
class TextConfig:
    """HF BloomConfig (older names n_embed, num_hidden_layers, num_attention_heads are read too)."""
    vocab_size: int = 250880
    hidden_size: int = 64
    n_layer: int = 2
    n_head: int = 8
    layer_norm_epsilon: float = 1e-5
    apply_residual_connection_post_layernorm: bool = False
    tie_word_embeddings: bool = True
    bos_token_id: int = 1
    eos_token_id: int = 2
    pad_token_id: Optional[int] = 3
    hidden_dropout: float = 0.0
    attention_dropout: float = 0.0

    def __post_init__(self):
        if self.hidden_size % self.n_head:
            raise ValueError(f"hidden_size {self.hidden_size} is not a multiple of n_head {self.n_head}")

    @property
    def padding_id(self):
        return self.pad_token_id if self.pad_token_id is not None and self.pad_token_id >= 0 else self.eos_token_id


@dataclasses.dataclass
class LoraConfig:
    """PEFT names: adapters on the BLOOM modules whose last key segment is in target_modules."""
    r: int = 8
    lora_alpha: float = 16
    lora_dropout: float = 0.05
    target_modules: List[str] = dataclasses.field(default_factory=lambda: ["query_key_value", "dense"])

    @property
    def scaling(self):
        return self.lora_alpha / self.r


@dataclasses.dataclass
class VlmConfig:
    fusion: str
    num_query_tokens: int
    prompt_template: str
    max_new_tokens: int
    vision: VisionConfig
    text: TextConfig
    qformer: Optional[QFormerConfig] = None
    gated: Optional[GatedConfig] = None
    lora: Optional[LoraConfig] = None
    part_dirs: dict = dataclasses.field(default_factory=dict)  # part key -> absolute folder
    raw: dict = dataclasses.field(default_factory=dict)  # the parsed config.json, to write it back

    PART_KEYS = ("vision_config", "qformer_config", "gated_config", "text_config")

    def to_json(self, inline_parts=True):
        """config.json as the checkpoint writes it: parts nested (a checkpoint stands alone), lora_config added."""
        out = {k: v for k, v in self.raw.items()
               if k not in self.PART_KEYS and k != "lora_config" and not k.startswith("_")}
        out.update({"model_type": "medvlm", "format_version": 1, "fusion": self.fusion,
                    "num_query_tokens": self.num_query_tokens, "prompt_template": self.prompt_template,
                    "max_new_tokens": self.max_new_tokens})
        for key in ("vision_config", "qformer_config" if self.fusion == "qformer" else "gated_config", "text_config"):
            out[key] = self.part_json(key)
        if self.lora is not None:
            out["lora_config"] = dataclasses.asdict(self.lora)
        return out

    def part_json(self, key):
        """A part's config object as read (for a part folder: its own config.json), with our typed values."""
        base = dict(self.raw.get("_parts", {}).get(key, {}))
        typed = {"vision_config": self.vision, "qformer_config": self.qformer, "gated_config": self.gated,
                 "text_config": self.text}[key]
        base.update({k: v for k, v in dataclasses.asdict(typed).items() if v is not None})
        if key == "vision_config":
            base.setdefault("model_type", "timm_vit")
        elif key == "qformer_config":
            base.setdefault("model_type", "blip_2_qformer")
        elif key == "text_config":
            base["model_type"] = "bloom"
        return base


def _read_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: malformed JSON ({e})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: not a JSON object")
    return data


def _text_fields(d):
    d = dict(d)
    for old, new in (("n_embed", "hidden_size"), ("num_hidden_layers", "n_layer"), ("num_attention_heads", "n_head")):
        if old in d and new not in d:
            d[new] = d[old]
    return d


def read(folder):
    """Reads FOLDER/config.json (model_type medvlm); part folders are resolved against FOLDER."""
    path = os.path.join(folder, "config.json") if os.path.isdir(folder) else folder
    folder = os.path.dirname(os.path.abspath(path))
    root = _read_json(path)
    if root.get("model_type") != "medvlm":
        raise ConfigError(f"{path}: model_type must be \"medvlm\", got {root.get('model_type')!r}")
    if root.get("format_version", 1) != 1:
        raise ConfigError(f"{path}: unsupported format_version {root.get('format_version')} (this trainer reads 1)")
    fusion = root.get("fusion", "qformer")
    if fusion not in ("qformer", "gated"):
        raise ConfigError(f"{path}: fusion must be \"qformer\" or \"gated\", got {fusion!r}")
    parts, dirs = {}, {}
    for key in VlmConfig.PART_KEYS:
        v = root.get(key)
        if v is None:
            continue
        if isinstance(v, str):
            part_dir = os.path.normpath(os.path.join(folder, v))
            parts[key] = _read_json(os.path.join(part_dir, "config.json"))
            dirs[key] = part_dir
        elif isinstance(v, dict):
            parts[key] = v
        else:
            raise ConfigError(f"{path}: {key} must be an object or a folder path")
    needed = ["vision_config", "qformer_config" if fusion == "qformer" else "gated_config", "text_config"]
    for key in needed:
        if key not in parts:
            raise ConfigError(f"{path}: config has fusion \"{fusion}\" but no {key}")
    vision = _fields(VisionConfig, parts["vision_config"], f"{path} vision_config")
    text = _fields(TextConfig, _text_fields(parts["text_config"]), f"{path} text_config")
    queries = int(root.get("num_query_tokens", 32))
    qformer = gated = None
    if fusion == "qformer":
        qformer = _fields(QFormerConfig, parts["qformer_config"], f"{path} qformer_config")
        if qformer.encoder_hidden_size is None:
            qformer.encoder_hidden_size = vision.embed_dim
        if qformer.encoder_hidden_size != vision.embed_dim:
            raise ConfigError(f"{path}: qformer_config.encoder_hidden_size {qformer.encoder_hidden_size} differs from "
                              f"the vision width {vision.embed_dim}")
    else:
        gated = _fields(GatedConfig, parts["gated_config"], f"{path} gated_config")
        if gated.num_latents is None:
            gated.num_latents = queries
    lora = _fields(LoraConfig, root["lora_config"], f"{path} lora_config") if root.get("lora_config") else None
    raw = dict(root)
    raw["_parts"] = parts
    return VlmConfig(fusion=fusion, num_query_tokens=queries,
                     prompt_template=root.get("prompt_template", "Question: {question} Answer:"),
                     max_new_tokens=int(root.get("max_new_tokens", 16)), vision=vision, text=text, qformer=qformer,
                     gated=gated, lora=lora, part_dirs=dirs, raw=raw)
