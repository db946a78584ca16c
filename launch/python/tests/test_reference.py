"""The Python parts reproduce transformers' and timm's outputs (../shared/reference) within 1e-4."""
import json
import os

import torch

from conftest import shared_dir
from medvlm import config
from medvlm import safetensors as st
from medvlm.model.bloom import Bloom
from medvlm.model.qformer import QFormer
from medvlm.model.vit import VisionTransformer
from medvlm.model.vlm import _text_keys


def load(module, sd, names):
    own = module.state_dict()
    assert sorted(own) == sorted(names), f"keys differ: {sorted(set(own) ^ set(names))[:5]}"
    module.load_state_dict({k: sd.get(names[k]) for k in own})


def test_bloom_tiny_logits_and_greedy():
    d = shared_dir("reference", "bloom-tiny")
    with open(os.path.join(d, "config.json")) as f:
        cfg = config._fields(config.TextConfig, config._text_fields(json.load(f)), "bloom-tiny")
    m = Bloom(cfg).eval()
    with st.StateDict(d) as sd:
        load(m, sd, _text_keys(sd, cfg.tie_word_embeddings))
    ref = st.load_file(os.path.join(d, "reference.safetensors"))
    with torch.no_grad():
        logits = m.logits(ref["input_ids"], ref["attention_mask"])
    assert (logits - ref["logits"]).abs().max().item() <= 1e-4
    # greedy decoding of row 0 (no padding), one full forward per token
    ids = ref["input_ids"][:1]
    with torch.no_grad():
        for _ in range(8):
            nxt = m.logits(ids, torch.ones_like(ids))[:, -1].argmax(-1, keepdim=True)
            ids = torch.cat([ids, nxt], dim=1)
    assert ids.tolist() == ref["greedy_ids"].tolist()


def test_qformer_tiny():
    d = shared_dir("reference", "qformer-tiny")
    with open(os.path.join(d, "config.json")) as f:
        cfg = config._fields(config.QFormerConfig, json.load(f), "qformer-tiny")
    m = QFormer(cfg).eval()
    with st.StateDict(d) as sd:
        load(m, sd, {k: k for k in sd.keys()})
    ref = st.load_file(os.path.join(d, "reference.safetensors"))
    with torch.no_grad():
        out = m(ref["query_embeds"], ref["encoder_hidden_states"])
    assert (out - ref["last_hidden_state"]).abs().max().item() <= 1e-4


def test_vit_tiny():
    d = shared_dir("reference", "vit-tiny")
    with open(os.path.join(d, "config.json")) as f:
        cfg = config._fields(config.VisionConfig, json.load(f), "vit-tiny")
    m = VisionTransformer(cfg).eval()
    with st.StateDict(d) as sd:
        load(m, sd, {k: k for k in sd.keys()})
    ref = st.load_file(os.path.join(d, "reference.safetensors"))
    with torch.no_grad():
        feats = m.forward_features(ref["pixel_values"])
        pooled = m.forward_head(feats, pre_logits=True)
    assert (feats - ref["features"]).abs().max().item() <= 1e-4
    assert (pooled - ref["pooled"]).abs().max().item() <= 1e-4
