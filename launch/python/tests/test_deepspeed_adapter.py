"""The DeepSpeed adapter against a stand-in of DeepSpeed's documented API (tests/fake_deepspeed; DeepSpeed itself does
not install on Debian): the loop drives it as DeepSpeed wants (backward without accumulation scaling, step after every
micro-batch, the client LR schedule), so its losses equal the ZeRO-1 engine's. This checks the adapter's use of the
API, not DeepSpeed: its ZeRO partitioning and mixed precision run only on GPU machines with DeepSpeed installed."""
import json
import os
import shutil


from conftest import BUILTIN_TOKENIZER, HERE, model_folder, prepared_data, run_ranks, step_losses, tiny_config
from medvlm import safetensors as st


def ds_config(batch, accum, world, lr, stage=1):
    # what the Java generator writes (DeepSpeedJson): batch triple, AdamW block, clipping, no scheduler
    return {"train_batch_size": batch * accum * world, "train_micro_batch_size_per_gpu": batch,
            "gradient_accumulation_steps": accum, "gradient_clipping": 1.0, "steps_per_print": 10,
            "optimizer": {"type": "AdamW", "params": {"lr": lr, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.0}},
            "zero_optimization": {"stage": stage}}


def test_deepspeed_adapter_follows_the_loop(tmp_path):
    init = model_folder(tmp_path / "init", tiny_config())
    shutil.copyfile(BUILTIN_TOKENIZER, os.path.join(init, "tokenizer.json"))
    data = prepared_data(str(tmp_path / "data"), n=24, test=4)
    common = ["--model", init, "--data", data, "--steps", "6", "--freeze", "none", "--lr", "3e-3", "--warmup-steps", "2",
              "--seed", "3", "--batch-size", "2", "--grad-accum", "2", "--checkpoint-every", "3", "--keep-checkpoints", "5"]
    cfg = tmp_path / "ds_config.json"
    cfg.write_text(json.dumps(ds_config(2, 2, 1, 3e-3)))
    env = {"PYTHONPATH": os.pathsep.join([os.path.dirname(HERE) , os.path.join(HERE, "fake_deepspeed")])}
    ds_run, z1_run = str(tmp_path / "ds"), str(tmp_path / "z1")
    assert run_ranks(1, common + ["--run-dir", ds_run, "--engine", "deepspeed", "--deepspeed-config", str(cfg)],
                     env_extra=env) == [0]
    assert run_ranks(1, common + ["--run-dir", z1_run, "--engine", "zero1"]) == [0]
    a, b = step_losses(ds_run), step_losses(z1_run)
    assert len(a) == 6 and max(abs(x - y) for x, y in zip(a, b)) < 1e-5, (a, b)
    ck = os.path.join(ds_run, "checkpoints", "step-000006")
    assert os.path.isdir(os.path.join(ck, "deepspeed")), "DeepSpeed's own checkpoint beside the model folder"
    o1 = st.load_file(os.path.join(ck, "optimizer.safetensors"))
    o2 = st.load_file(os.path.join(z1_run, "checkpoints", "step-000006", "optimizer.safetensors"))
    assert sorted(o1) == sorted(o2)
    scale = max(v.abs().max().item() for v in o2.values())
    assert max((o1[k] - o2[k]).abs().max().item() for k in o1) < 1e-5 * scale
    # resuming from DeepSpeed's checkpoint continues the same losses
    shutil.rmtree(ck)
    os.remove(os.path.join(ds_run, "metrics.jsonl"))
    assert run_ranks(1, common + ["--run-dir", ds_run, "--engine", "deepspeed", "--deepspeed-config", str(cfg), "--resume"],
                     env_extra=env) == [0]
    assert max(abs(x - y) for x, y in zip(step_losses(ds_run), a[3:])) < 1e-5


def test_a_config_that_does_not_match_the_run_is_refused(tmp_path):
    init = model_folder(tmp_path / "init", tiny_config())
    shutil.copyfile(BUILTIN_TOKENIZER, os.path.join(init, "tokenizer.json"))
    data = prepared_data(str(tmp_path / "data"), n=8, test=2)
    cfg = tmp_path / "ds_config.json"
    cfg.write_text(json.dumps(ds_config(4, 1, 1, 1e-4)))
    run = str(tmp_path / "r")
    env = {"PYTHONPATH": os.pathsep.join([os.path.dirname(HERE), os.path.join(HERE, "fake_deepspeed")])}
    assert run_ranks(1, ["--model", init, "--data", data, "--run-dir", run, "--steps", "2", "--batch-size", "2",
                         "--engine", "deepspeed", "--deepspeed-config", str(cfg)], env_extra=env) == [1]
    status = json.load(open(os.path.join(run, "status.json")))
    assert status["state"] == "failed"
    assert "train_micro_batch_size_per_gpu 4 != --batch-size 2" in status["reason"]
