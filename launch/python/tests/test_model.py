"""The composite model: loss, padding, loading, freezing, LoRA, conv stem, checkpointing."""
import json
import os

import pytest
import torch
import torch.nn.functional as F

from conftest import model_folder, random_batch, shared_dir, tiny_config
from medvlm import config
from medvlm import safetensors as st
from medvlm.model import vlm
from medvlm.model.bloom import Bloom


def build(tmp_path, fusion="qformer", seed=0, **kw):
    folder = model_folder(tmp_path / f"m-{fusion}", tiny_config(fusion, **kw))
    return vlm.build(config.read(folder), folder, seed)[0], folder


def test_chunked_loss_equals_full_cross_entropy_in_value_and_gradient():
    torch.manual_seed(0)
    hidden = torch.randn(2, 9, 16, requires_grad=True)
    weight = torch.randn(37, 16, requires_grad=True)
    labels = torch.randint(0, 37, (2, 9))
    labels[0, :4] = -100
    total, n = vlm.chunked_cross_entropy(hidden, weight, labels, chunk=3)
    (total / n).backward()
    g_h, g_w = hidden.grad.clone(), weight.grad.clone()
    hidden.grad = weight.grad = None
    full = F.cross_entropy(F.linear(hidden, weight).view(-1, 37), labels.view(-1), ignore_index=-100)
    full.backward()
    assert n == int((labels != -100).sum())
    assert abs((total / n).item() - full.item()) < 1e-5
    assert torch.allclose(hidden.grad, g_h, atol=1e-6) and torch.allclose(weight.grad, g_w, atol=1e-6)


def test_left_padding_changes_nothing_for_the_real_tokens():
    """ALiBi positions are the cumulative sum of the mask: a padded row equals the same row unpadded."""
    cfg = config.TextConfig(vocab_size=40, hidden_size=16, n_layer=2, n_head=4)
    torch.manual_seed(1)
    m = Bloom(cfg).eval()
    m.init_weights()
    ids = torch.randint(4, 40, (1, 6))
    padded = torch.cat([torch.full((1, 3), 3), ids], dim=1)
    mask = torch.cat([torch.zeros(1, 3, dtype=torch.long), torch.ones(1, 6, dtype=torch.long)], dim=1)
    with torch.no_grad():
        a = m.logits(ids, torch.ones_like(ids))
        b = m.logits(padded, mask)[:, 3:]
    assert (a - b).abs().max().item() < 1e-5


def test_alibi_slopes_for_16_and_12_heads():
    from medvlm.model.bloom import alibi_slopes
    s = alibi_slopes(16)
    assert abs(s[0].item() - 2 ** -0.5) < 1e-7 and abs(s[-1].item() - 2 ** -8) < 1e-9
    s12 = alibi_slopes(12)  # 8 from base 2^-1, then the odd powers of 2^-0.5
    assert abs(s12[8].item() - 2 ** -0.5) < 1e-7 and abs(s12[9].item() - 2 ** -1.5) < 1e-7


@pytest.mark.parametrize("fusion", ["qformer", "gated"])
def test_both_fusions_train_and_keys_are_the_composite_names(tmp_path, fusion):
    m, _ = build(tmp_path, fusion)
    keys = list(m.state_dict())
    assert any(k.startswith("vision_model.blocks.0.attn.qkv") for k in keys)
    assert any(k.startswith("language_model.h.1.self_attention.query_key_value") for k in keys)
    if fusion == "qformer":
        assert "query_tokens" in keys and "language_projection.weight" in keys
        assert "qformer.encoder.layer.0.crossattention.attention.key.weight" in keys
    else:
        assert "perceiver.latents" in keys and "gated_cross_attn_layers.0.attn_gate" in keys
        assert "gated_cross_attn_layers.1.ff.3.weight" in keys
    trained = vlm.apply_freeze(m, "blip2" if fusion == "qformer" else "gated")
    assert trained and not any(k.startswith(("vision_model.", "language_model.")) for k in trained)
    b = random_batch()
    total, n = m(**b)
    (total / n).backward()
    assert all(p.grad is not None for p in m.parameters() if p.requires_grad)
    assert all(p.grad is None for p in m.parameters() if not p.requires_grad)


def test_gates_at_zero_leave_the_language_model_unchanged(tmp_path):
    m, _ = build(tmp_path, "gated")
    m.eval()
    b = random_batch()
    with torch.no_grad():
        out = m(b["pixel_values"], b["input_ids"], b["attention_mask"])
        plain = m.language_model.logits(b["input_ids"], b["attention_mask"])[:, -1]
    assert (out - plain).abs().max().item() < 1e-6


def test_lora_is_named_as_peft_and_starts_as_a_no_op(tmp_path):
    m, folder = build(tmp_path)
    m.eval()
    b = random_batch()
    with torch.no_grad():
        before = m(b["pixel_values"], b["input_ids"], b["attention_mask"])
    m.add_lora(config.LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0))
    sd = m.state_dict()
    assert sd["language_model.h.0.self_attention.query_key_value.lora_A.weight"].shape == (4, 32)
    assert sd["language_model.h.0.self_attention.query_key_value.lora_B.weight"].shape == (96, 4)
    assert "language_model.h.1.self_attention.dense.lora_B.weight" in sd
    assert "language_model.h.0.self_attention.query_key_value.weight" in sd
    m.eval()
    with torch.no_grad():
        after = m(b["pixel_values"], b["input_ids"], b["attention_mask"])
    assert torch.equal(before, after)
    trained = vlm.apply_freeze(m, "lora")
    assert all(".lora_" in k or k.startswith(("query_tokens", "qformer.", "language_projection.")) for k in trained)
    # saved with lora_config, and read back with it
    cfg = m.cfg
    vlm.save_model_folder(vlm.full_state_dict(m), cfg, str(tmp_path / "saved"), None)
    with open(tmp_path / "saved" / "config.json") as f:
        assert json.load(f)["lora_config"]["r"] == 4
    again, report = vlm.build(config.read(str(tmp_path / "saved")), str(tmp_path / "saved"), 99)
    assert report["lora"].endswith("model.safetensors")
    assert all(torch.equal(v, again.state_dict()[k]) for k, v in vlm.full_state_dict(m).items())


def test_conv_stem_keys_and_shapes(tmp_path):
    cfg = tiny_config()
    cfg["vision_config"]["conv_stem_channels"] = [8, 16]
    folder = model_folder(tmp_path / "stem", cfg)
    m = vlm.build(config.read(folder), folder, 0)[0]
    sd = m.state_dict()
    assert sd["vision_model.patch_embed.backbone.0.weight"].shape == (8, 3, 3, 3)
    assert sd["vision_model.patch_embed.backbone.2.weight"].shape == (16, 8, 3, 3)
    assert sd["vision_model.patch_embed.proj.weight"].shape == (32, 16, 2, 2)  # 8 / 2^2
    assert m.vision_model.forward_features(torch.randn(1, 3, 32, 32)).shape == (1, 17, 32)


def test_activation_checkpointing_gives_the_same_gradients(tmp_path):
    m, _ = build(tmp_path)
    vlm.apply_freeze(m, "none")
    b = random_batch()
    grads = []
    for on in (False, True):
        m.zero_grad()
        m.set_gradient_checkpointing(on)
        total, n = m(**b)
        (total / n).backward()
        grads.append({k: p.grad.clone() for k, p in m.named_parameters()})
    assert all(torch.allclose(grads[0][k], grads[1][k], atol=1e-6) for k in grads[0])


def test_same_seed_same_init_and_loading_round_trips(tmp_path):
    a, folder = build(tmp_path, seed=5)
    b, _ = build(tmp_path, seed=5)
    assert all(torch.equal(v, b.state_dict()[k]) for k, v in a.state_dict().items())
    out = tmp_path / "saved"
    vlm.save_model_folder(vlm.full_state_dict(a), a.cfg, str(out), None)
    c, report = vlm.build(config.read(str(out)), str(out), 123)
    assert set(report.values()) == {str(out / "model.safetensors")}
    assert all(torch.equal(v, c.state_dict()[k]) for k, v in a.state_dict().items())


def test_a_part_with_a_missing_key_is_refused_naming_it(tmp_path):
    a, _ = build(tmp_path)
    sd = vlm.full_state_dict(a)
    del sd["vision_model.norm.weight"]
    out = tmp_path / "broken"
    vlm.save_model_folder(sd, a.cfg, str(out), None)
    with pytest.raises(vlm.LoadError, match="vision_model.norm.weight"):
        vlm.build(config.read(str(out)), str(out), 0)


def test_part_folders_load_the_reference_weights(tmp_path):
    """config.json naming part folders: vit-tiny, qformer-tiny and bloom-tiny load as the vision, Q-Former and LM."""
    ref = shared_dir("reference")
    cfg = {"model_type": "medvlm", "fusion": "qformer", "num_query_tokens": 8,
           "vision_config": os.path.join(ref, "vit-tiny"), "qformer_config": os.path.join(ref, "qformer-tiny"),
           "text_config": os.path.join(ref, "bloom-tiny")}
    folder = model_folder(tmp_path / "parts", cfg)
    m, report = vlm.build(config.read(folder), folder, 0)
    assert report["vision"].startswith(os.path.join(ref, "vit-tiny"))
    assert report["fusion"].startswith(os.path.join(ref, "qformer-tiny"))
    assert report["text"].startswith(os.path.join(ref, "bloom-tiny"))
    m.eval()
    r = st.load_file(os.path.join(ref, "vit-tiny", "reference.safetensors"))
    with torch.no_grad():
        assert (m.vision_model.forward_features(r["pixel_values"]) - r["features"]).abs().max() < 1e-4
        r = st.load_file(os.path.join(ref, "bloom-tiny", "reference.safetensors"))
        assert (m.language_model.logits(r["input_ids"], r["attention_mask"]) - r["logits"]).abs().max() < 1e-4
