"""Training runs: processes started as the local launcher starts them (the environment torchrun would set)."""
import json
import os
import shutil
import subprocess
import sys

import pytest
import torch

from conftest import PYTHON_ROOT, BUILTIN_TOKENIZER, model_folder, prepared_data, random_batch, run_ranks, \
    step_losses, tiny_config
from medvlm import runs
from medvlm import safetensors as st
from medvlm import stepcheck


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("train")
    init = model_folder(root / "init", tiny_config())
    shutil.copyfile(BUILTIN_TOKENIZER, os.path.join(init, "tokenizer.json"))
    return init, prepared_data(str(root / "data"), n=32, test=6)


def common(init, data, run, steps=20, *extra):
    return ["--model", init, "--data", data, "--run-dir", run, "--steps", str(steps), "--freeze", "none",
            "--lr", "3e-3", "--warmup-steps", "2", "--seed", "7", *extra]


@pytest.mark.parametrize("engine", ["ddp"])  # zero1 through the Java launcher: launch/src/test/.../LocalLaunchTest
def test_two_processes_equal_one_with_the_same_global_batch(tmp_path, inputs, engine):
    init, data = inputs
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    assert run_ranks(1, common(init, data, one, 20, "--batch-size", "4", "--grad-accum", "2", "--engine", engine)) == [0]
    assert run_ranks(2, common(init, data, two, 20, "--batch-size", "4", "--engine", engine)) == [0, 0]
    a, b = step_losses(one), step_losses(two)
    assert len(a) == len(b) == 20
    assert max(abs(x - y) for x, y in zip(a, b)) < 1e-4, (a, b)
    assert a[-1] < a[0], "the loss goes down"
    # the same weights and Adam states at the end, whichever way the step was split
    w1 = st.load_file(os.path.join(one, "model", "model.safetensors"))
    w2 = st.load_file(os.path.join(two, "model", "model.safetensors"))
    assert max((w1[k] - w2[k]).abs().max().item() for k in w1) < 1e-4
    o1 = st.load_file(os.path.join(one, "checkpoints", "step-000020", "optimizer.safetensors"))
    o2 = st.load_file(os.path.join(two, "checkpoints", "step-000020", "optimizer.safetensors"))
    assert sorted(o1) == sorted(o2) and len(o1) == 2 * sum(1 for k in w1)
    scale = max(v.abs().max().item() for v in o1.values())
    assert max((o1[k] - o2[k]).abs().max().item() for k in o1) < 1e-4 * scale


def test_run_directory_events_and_checkpoints(tmp_path, inputs):
    init, data = inputs
    run = str(tmp_path / "r")
    assert run_ranks(1, common(init, data, run, 6, "--batch-size", "4", "--eval-every", "3",
                               "--checkpoint-every", "2", "--keep-checkpoints", "2", "--engine", "zero1")) == [0]
    status = json.load(open(os.path.join(run, "status.json")))
    assert status["state"] == "finished" and status["step"] == 6 and status["checkpoint"] == "checkpoints/step-000006"
    events = [json.loads(line) for line in open(os.path.join(run, "metrics.jsonl"))]
    steps = [e for e in events if e["event"] == "step"]
    evals = [e for e in events if e["event"] == "eval"]
    assert [e["step"] for e in steps] == [1, 2, 3, 4, 5, 6] and [e["step"] for e in evals] == [3, 6]
    assert {"schema", "loss", "lr", "grad_norm", "samples_per_s", "tokens_per_s", "elapsed_s", "epoch"} <= set(steps[0])
    assert set(evals[0]["metrics"]) == {"closed_accuracy", "open_recall", "exact_match", "n", "per_type"}
    assert evals[0]["metrics"]["n"] == 6
    samples = [json.loads(line) for line in open(os.path.join(run, "samples.jsonl"))]
    assert len(samples) == 8 and all(os.path.isfile(os.path.join(run, s["image"])) for s in samples)
    assert [d for _, d in runs.checkpoint_dirs(run)] == [os.path.join(run, "checkpoints", f"step-00000{i}") for i in (4, 6)]
    ck = os.path.join(run, "checkpoints", "step-000006")
    assert sorted(os.listdir(ck)) == ["config.json", "manifest.json", "model.safetensors", "optimizer.safetensors",
                                      "tokenizer.json", "trainer_state.json"]
    state = json.load(open(os.path.join(ck, "trainer_state.json")))
    assert state["step"] == 6 and state["optimizer"]["step"] == 6
    assert os.path.isfile(os.path.join(run, "logs", "rank-0.log"))
    # a checkpoint whose file no longer matches its manifest is skipped, with a message naming it
    with open(os.path.join(ck, "model.safetensors"), "r+b") as f:
        f.seek(100)
        f.write(b"\xff\xff")
    assert [s for s, _ in runs.checkpoint_dirs(run)] == [4]


def test_resume_continues_exactly(tmp_path, inputs):
    init, data = inputs
    straight, resumed = str(tmp_path / "straight"), str(tmp_path / "resumed")
    assert run_ranks(1, common(init, data, straight, 8, "--batch-size", "4", "--engine", "zero1")) == [0]
    assert run_ranks(1, common(init, data, resumed, 8, "--batch-size", "4", "--engine", "zero1",
                               "--checkpoint-every", "4", "--keep-checkpoints", "5")) == [0]
    shutil.rmtree(os.path.join(resumed, "checkpoints", "step-000008"))
    os.remove(os.path.join(resumed, "metrics.jsonl"))
    assert run_ranks(1, common(init, data, resumed, 8, "--batch-size", "4", "--engine", "zero1", "--resume")) == [0]
    a, b = step_losses(straight), step_losses(resumed)
    assert len(b) == 4
    assert max(abs(x - y) for x, y in zip(a[4:], b)) < 1e-5, (a[4:], b)


def test_engines_this_torch_cannot_run_are_refused_in_one_line():
    env = dict(os.environ, PYTHONPATH=PYTHON_ROOT)
    for engine, needle in (("fsdp", "torch"), ("deepspeed", "deepspeed")):
        p = subprocess.run([sys.executable, "-m", "medvlm.train", "--probe", "--engine", engine, "--device", "cpu"],
                           env=env, capture_output=True, text=True)
        if p.returncode == 0:
            continue  # this machine's software runs it
        err = p.stderr.strip()
        assert p.returncode == 1 and "\n" not in err and needle in err and err.startswith("medvlm train: engine"), err


def test_stepcheck_writes_loss_gradients_and_one_adamw_update(tmp_path, inputs):
    init, _ = inputs
    batch = random_batch(vocab=50, size=32)
    out = stepcheck.step(init, batch, lr=1e-2, weight_decay=0.1, freeze="blip2")
    trained = [k[len("grad."):] for k in out if k.startswith("grad.")]
    assert trained and all(k.startswith(("query_tokens", "qformer.", "language_projection.")) for k in trained)
    from medvlm import config
    from medvlm.model import vlm
    model = vlm.build(config.read(init), init, 0)[0]
    before = model.state_dict()
    for k in trained:
        g = out["grad." + k]
        # AdamW's first step: m = 0.1 g, v = 0.001 g^2, update lr * m_hat / (sqrt(v_hat) + eps) = lr * g / (|g| + eps)
        assert torch.allclose(out["exp_avg." + k], 0.1 * g, atol=1e-7)
        assert torch.allclose(out["exp_avg_sq." + k], 0.001 * g * g, atol=1e-9)
        decay = 0.0 if k.endswith("bias") or "layernorm" in k.lower() else 0.1
        expected = before[k] * (1 - 1e-2 * decay) - 1e-2 * g / (g.abs() + 1e-8)
        assert torch.allclose(out["param." + k], expected, atol=1e-5), k
    assert out["loss"].dim() == 0 and 2.0 < out["loss"].item() < 6.0
    # the command writes the same tensors
    st.save_file(batch, str(tmp_path / "batch.safetensors"))
    env = dict(os.environ, PYTHONPATH=PYTHON_ROOT)
    subprocess.run([sys.executable, "-m", "medvlm.stepcheck", "--model", init, "--batch", str(tmp_path / "batch.safetensors"),
                    "--out", str(tmp_path / "step.safetensors"), "--lr", "1e-2", "--weight-decay", "0.1",
                    "--freeze", "blip2"], env=env, check=True, capture_output=True)
    written = st.load_file(str(tmp_path / "step.safetensors"))
    assert sorted(written) == sorted(out) and all(torch.equal(written[k], out[k]) for k in out)
