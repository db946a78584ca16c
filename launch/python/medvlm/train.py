"""python3 -m medvlm.train: trains the VLM in this process, one rank of a job (any launcher) or alone.

    python3 -m medvlm.train --model INIT_DIR --data PREPARED_DIR --run-dir RUN [--steps N --seed S --lr X
        --batch-size B --grad-accum K --warmup-steps W --weight-decay D --grad-clip C --freeze blip2|gated|none|lora
        --lora-r R --lora-alpha A --lora-dropout P --eval-every E --checkpoint-every C --keep-checkpoints K --resume]
        [--engine ddp|zero1|fsdp|deepspeed --zero 0..3 --deepspeed-config FILE --device cpu|cuda
        --precision fp32|bf16|fp16 --checkpointing]
    python3 -m medvlm.train --probe --engine E --device D   # can this machine run it? one line, exit 0 or 1

The run directory gets what FORMATS.md describes (rank 0 writes it; every rank writes logs/rank-N.log).

Batches and the loss: --batch-size is the micro-batch of one process; an optimizer step sees batch x grad-accum x
world examples. Dropout masks are drawn from a generator seeded per micro-batch by its place in the step's global
batch. The loss of a step is the mean over all answer tokens of all its micro-batches on all ranks (each
micro-batch's summed loss is divided by the step's global token count, times the world size that DDP divides by
again), so a step's loss and gradients do not depend on how the examples are split over processes.

Learning rate at optimizer step s (0-based), as the Java trainer's LrSchedule (Hugging Face's
get_cosine_schedule_with_warmup): lr * s / W during W warm-up steps, then lr * (1 + cos(pi * (s - W) / (N - W))) / 2
towards 0 at N = --steps. AdamW: betas (0.9, 0.999), eps 1e-8, weight decay on every parameter except biases and
LayerNorm weights (the Java AdamW's groups).
"""
import argparse
import contextlib
import importlib
import json
import math
import os
import sys
import time
import traceback

import torch

from . import config, data, distributed, engines, runs
from . import safetensors as st
from .evaluate import evaluate
from .model import vlm
from .tokenizer import Decoder


def parser():
    p = argparse.ArgumentParser(prog="python3 -m medvlm.train", description="Trains the MedVLM in one rank of a job.")
    p.add_argument("--model", help="init model folder (config.json; weights where it has them)")
    p.add_argument("--data", help="prepared data folder (medvlm datasets prepare)")
    p.add_argument("--run-dir", help="the run directory (metrics, status, checkpoints, logs)")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=8, help="micro-batch per process")
    p.add_argument("--grad-accum", type=int, default=1)
    p.add_argument("--warmup-steps", type=int, default=0)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--grad-clip", type=float, default=1.0, help="0 disables clipping")
    p.add_argument("--freeze", choices=vlm.FREEZE_POLICIES, default=None,
                   help="default: blip2 for the Q-Former fusion, gated for the gated one")
    p.add_argument("--lora-r", type=int, default=8)
    p.add_argument("--lora-alpha", type=float, default=16.0)
    p.add_argument("--lora-dropout", type=float, default=0.05)
    p.add_argument("--eval-every", type=int, default=0, help="0: evaluate at the end only")
    p.add_argument("--eval-limit", type=int, default=200, help="held-out examples evaluated (0: all)")
    p.add_argument("--samples", type=int, default=4, help="examples shown in samples.jsonl per evaluation")
    p.add_argument("--checkpoint-every", type=int, default=0, help="0: the final checkpoint only")
    p.add_argument("--keep-checkpoints", type=int, default=2)
    p.add_argument("--resume", action="store_true", help="continue from the run directory's last checkpoint")
    p.add_argument("--engine", choices=engines.ENGINES, default="ddp")
    p.add_argument("--zero", type=int, choices=(0, 1, 2, 3), default=None, help="fsdp: 2 SHARD_GRAD_OP, 3 FULL_SHARD")
    p.add_argument("--deepspeed-config", help="ds_config.json (engine deepspeed)")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    p.add_argument("--precision", choices=("fp32", "bf16", "fp16"), default="fp32")
    p.add_argument("--checkpointing", action="store_true", help="activation checkpointing per transformer block")
    p.add_argument("--probe", action="store_true", help="only check that this machine can run --engine/--device")
    p.add_argument("--local_rank", "--local-rank", type=int, default=None, help=argparse.SUPPRESS)  # DeepSpeed's
    return p


def schedule(args):
    def lr_at(s):
        if s < args.warmup_steps:
            return args.lr * s / max(1, args.warmup_steps)
        progress = (s - args.warmup_steps) / max(1, args.steps - args.warmup_steps)
        return args.lr * max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))
    return lr_at


def micro_seed(seed, step, index):
    """The random seed of micro-batch ``index`` (its place in the global batch) of optimizer step ``step``."""
    return ((seed * 1_000_003 + step) * 1_009 + index) % (2 ** 63)


def autocast_for(args, device):
    if args.precision == "fp32" or args.engine == "deepspeed":
        return contextlib.nullcontext
    if args.precision == "fp16" and device.type == "cpu":
        raise engines.EngineUnavailable("--precision fp16 needs --device cuda (CPUs compute in bf16 or fp32)")
    dtype = torch.bfloat16 if args.precision == "bf16" else torch.float16
    return lambda: torch.autocast(device.type, dtype=dtype)


def probe(args):
    """One line: what would refuse this engine here, or OK with the versions."""
    device = torch.device(args.device)
    if args.device == "cuda" and not torch.cuda.is_available():
        raise engines.EngineUnavailable(f"--device cuda: torch {torch.__version__} sees no CUDA device here")
    autocast_for(args, device)
    if args.engine == "fsdp":
        try:
            importlib.import_module("torch.distributed.fsdp")
        except Exception as e:
            raise engines.EngineUnavailable(f"engine fsdp needs torch.distributed.fsdp, which does not import in torch "
                                            f"{torch.__version__} ({type(e).__name__}); use torch >= 2.0, or "
                                            f"--engine zero1|ddp") from None
        if device.type == "cpu" and engines.torch_version() < (2, 2):
            raise engines.EngineUnavailable(f"engine fsdp on CPU needs torch >= 2.2; this is torch {torch.__version__}")
    if args.engine == "deepspeed":
        try:
            importlib.import_module("deepspeed")
        except Exception as e:
            raise engines.EngineUnavailable(f"engine deepspeed needs the deepspeed package, which does not import "
                                            f"here ({type(e).__name__}); use --engine zero1|ddp|fsdp") from None
    print(f"ok: torch {torch.__version__}, engine {args.engine}, device {args.device}")


class Trainer:
    def __init__(self, args, place):
        self.args = args
        self.place = place
        self.device = distributed.device_for(place, args.device)
        self.rank0 = place.rank == 0
        self.autocast = autocast_for(args, self.device)
        self.lr_at = schedule(args)
        self.run = runs.RunDir(args.run_dir) if self.rank0 else None

    def setup(self):
        a = self.args
        self.cfg = config.read(a.model)
        self.tokenizer_src = vlm.tokenizer_file(a.model, self.cfg) or os.path.join(a.data, "tokenizer.json")
        start_dir, self.start_step = a.model, 0
        resume_from = None
        if a.resume:
            done = runs.checkpoint_dirs(a.run_dir)
            if done:
                self.start_step, resume_from = done[-1]
                start_dir = resume_from
                self.cfg = config.read(resume_from)
        lora = None
        freeze = a.freeze or ("blip2" if self.cfg.fusion == "qformer" else "gated")
        if freeze == "lora" and self.cfg.lora is None:
            lora = config.LoraConfig(r=a.lora_r, lora_alpha=a.lora_alpha, lora_dropout=a.lora_dropout)
        self.model, self.report = vlm.build(self.cfg, start_dir, a.seed, lora)
        self.freeze = freeze
        self.trainable = vlm.apply_freeze(self.model, freeze)
        self.model.set_gradient_checkpointing(a.checkpointing)
        if a.engine != "deepspeed":
            self.model.to(self.device)
        size = self.cfg.vision.img_size
        train_splits, eval_splits = data.train_and_eval_splits(a.data)
        self.train = data.PreparedDataset(a.data, train_splits, size)
        self.eval = data.PreparedDataset(a.data, eval_splits, size) if eval_splits else None
        self.order = data.Order(len(self.train), a.seed)
        self.pad = self.cfg.text.padding_id
        self.decoder = Decoder(self.tokenizer_src)
        self.stops = {self.cfg.text.eos_token_id}
        newline = self.decoder.token_id("\n")
        if newline is not None:
            self.stops.add(newline)
        self.engine = engines.make(a.engine, self.model, a, self.place.world, self.place.rank, self.device, self.lr_at,
                                   self.start_step)
        if resume_from:
            if a.engine == "deepspeed" and os.path.isdir(os.path.join(resume_from, "deepspeed")):
                self.engine.load_native(resume_from)
            else:
                opt = os.path.join(resume_from, "optimizer.safetensors")
                with open(os.path.join(resume_from, "trainer_state.json"), encoding="utf-8") as f:
                    opt_step = json.load(f)["optimizer"]["step"]
                self.engine.load_optimizer_state(st.load_file(opt), opt_step)
        self.global_batch = a.batch_size * a.grad_accum * self.place.world
        n_params = sum(p.numel() for p in self.model.parameters())
        n_train = sum(p.numel() for p in self.model.parameters() if p.requires_grad)
        print(f"medvlm: rank {self.place.rank}/{self.place.world}, {self.device}, engine {a.engine}, freeze {freeze}, "
              f"{n_params:,} parameters ({n_train:,} trained), parts {self.report}, {len(self.train)} training "
              f"examples, global batch {self.global_batch}, from step {self.start_step}", flush=True)

    def batch(self, indices, ds):
        b = data.collate([ds.examples[i] for i in indices], [ds.pixels(i) for i in indices], self.pad)
        return {k: v.to(self.device) for k, v in b.items()}

    def train_step(self, step):
        a = self.args
        micro = [self.batch(ix, self.train)
                 for ix in self.order.micro_batches(step, a.batch_size, a.grad_accum, self.place.world, self.place.rank)]
        local_tokens = sum(int((b["labels"][:, 1:] != vlm.IGNORE).sum()) for b in micro)
        text_tokens = sum(int(b["attention_mask"].sum()) for b in micro)
        n_global, text_global = engines.all_reduce_sum([local_tokens, text_tokens], self.device)
        lr = self.lr_at(step)
        if a.engine != "deepspeed":
            self.engine.set_lr(lr)
        loss_sum = 0.0
        for k, b in enumerate(micro):
            last = k == len(micro) - 1
            # dropout draws from a generator seeded by the micro-batch's place in the global batch, so a step's masks
            # (and so its loss) are the same however the step is split over processes and accumulation
            torch.manual_seed(micro_seed(a.seed, step, k * self.place.world + self.place.rank))
            with self.engine.sync_context(last):
                with self.autocast():
                    s, _ = self.engine.forward(b)
                    loss = s * (self.place.world / n_global)
                self.engine.backward(loss, last)
            loss_sum += float(s.detach())
        grad_norm = self.engine.step(lr)
        (total,) = engines.all_reduce_sum([loss_sum], self.device)
        return total / n_global, lr, grad_norm, text_global

    def evaluate(self, step, elapsed):
        a = self.args
        if self.eval is None or len(self.eval) == 0:
            return
        was = self.model.training
        self.model.eval()
        result, answers = evaluate(self.engine, self.eval, self.place, a.batch_size, self.device, self.pad, self.stops,
                                   self.decoder, self.cfg.max_new_tokens, self.autocast, limit=a.eval_limit)
        if was:
            vlm.set_train_mode(self.model)
        if self.rank0:
            epoch = self.order.position(step, self.global_batch)[0]
            self.run.metric("eval", step=step, epoch=round(epoch, 4), elapsed_s=round(elapsed, 3), **result)
            from .evaluate import normalize
            for i in range(min(a.samples, len(self.eval))):
                if i in answers:
                    e = self.eval.examples[i]
                    ok = any(normalize(answers[i]) == normalize(t) for t in e["answers"])
                    self.run.sample(step, e, self.eval.image_path(e), answers[i], ok)

    def checkpoint(self, step, final):
        a = self.args
        state = self.engine.model_state()
        opt = self.engine.optimizer_state()
        tmp = None
        if self.rank0:
            tmp = runs.begin_checkpoint(a.run_dir, step)
        if a.engine == "deepspeed":
            tmp = distributed.broadcast_object(tmp)
            self.engine.save_native(tmp)
            distributed.barrier()
        if self.rank0:
            vlm.save_model_folder(state, self.cfg, tmp, self.tokenizer_src)
            opt_tensors, opt_step = opt
            st.save_file(opt_tensors, os.path.join(tmp, "optimizer.safetensors"))
            epoch, epoch_index, position = self.order.position(step, self.global_batch)
            trainer_state = {
                "schema": 1, "step": step, "epoch": epoch, "epoch_index": epoch_index, "epoch_position": position,
                "seed": a.seed, "engine": a.engine, "world_size": self.place.world, "batch_size": a.batch_size,
                "grad_accum": a.grad_accum, "freeze": self.freeze,
                "optimizer": {"type": "adamw", "lr": a.lr, "betas": list(engines.BETAS), "eps": engines.EPS,
                              "weight_decay": a.weight_decay, "step": opt_step,
                              "decay": "all but biases and LayerNorm weights"},
                "scheduler": {"type": "cosine_with_warmup", "warmup_steps": a.warmup_steps,
                              "total_steps": a.steps, "lr_next": self.lr_at(step)}}
            runs.write_json_atomic(os.path.join(tmp, "trainer_state.json"), trainer_state)
            rel = runs.commit_checkpoint(a.run_dir, step, tmp, a.keep_checkpoints)
            if final:
                self.write_final(state)
            self.run.status(checkpoint=rel)
        distributed.barrier()

    def write_final(self, state):
        """RUN/model/: the final model folder (config, weights, tokenizer, manifest), replaced atomically."""
        import shutil
        final = os.path.join(self.args.run_dir, "model")
        tmp = final + ".tmp"
        if os.path.isdir(tmp):
            shutil.rmtree(tmp)
        vlm.save_model_folder(state, self.cfg, tmp, self.tokenizer_src)
        runs.write_manifest(tmp, self.args.steps)
        old = final + ".old"
        if os.path.isdir(final):
            os.rename(final, old)
        os.rename(tmp, final)
        if os.path.isdir(old):
            shutil.rmtree(old)
        runs.fsync_dir(self.args.run_dir)

    def fit(self):
        a = self.args
        start = time.time()
        if self.rank0:
            self.run.status(state="running", step=self.start_step, total_steps=a.steps, started=runs.now(),
                            reason=None)
        vlm.set_train_mode(self.model)
        for step in range(self.start_step, a.steps):
            t0 = time.time()
            loss, lr, grad_norm, text_tokens = self.train_step(step)
            dt = time.time() - t0
            done = step + 1
            if self.rank0:
                epoch = self.order.position(done, self.global_batch)[0]
                self.run.metric("step", step=done, epoch=round(epoch, 4), loss=loss, lr=lr, grad_norm=grad_norm,
                                samples_per_s=round(self.global_batch / dt, 3),
                                tokens_per_s=round(text_tokens / dt, 3), elapsed_s=round(time.time() - start, 3))
                self.run.status(step=done)
            last = done == a.steps
            if (a.eval_every > 0 and done % a.eval_every == 0) or last:
                self.evaluate(done, time.time() - start)
            if (a.checkpoint_every > 0 and done % a.checkpoint_every == 0) or last:
                self.checkpoint(done, last)
        if self.rank0:
            self.run.status(state="finished", step=a.steps)


def main(argv=None):
    args = parser().parse_args(argv)
    if args.probe:
        try:
            probe(args)
            return 0
        except engines.EngineUnavailable as e:
            print(f"medvlm train: {e}", file=sys.stderr)
            return 1
    for name in ("model", "data", "run_dir"):
        if not getattr(args, name):
            print(f"medvlm train: --{name.replace('_', '-')} is required", file=sys.stderr)
            return 2
    place = distributed.place()
    distributed.redirect_output(os.path.join(args.run_dir, "logs", f"rank-{place.rank}.log"))
    distributed.exit_with_parent()
    print(f"medvlm: rank {place.rank} of {place.world} (pid {os.getpid()}): {' '.join(sys.argv)}", flush=True)
    trainer = None
    try:
        trainer = Trainer(args, place)
        distributed.init(place, trainer.device.type)
        trainer.setup()
        trainer.fit()
        return 0
    except (config.ConfigError, data.DataError, engines.EngineUnavailable, vlm.LoadError, st.SafetensorsError,
            ValueError) as e:
        print(f"medvlm train: {e}", file=sys.stderr, flush=True)
        fail(trainer, place, str(e))
        return 1
    except BaseException as e:  # noqa: B902 (a rank's crash must reach its log and the status)
        traceback.print_exc()
        sys.stderr.flush()
        fail(trainer, place, f"rank {place.rank}: {type(e).__name__}: {e}")
        return 70


def fail(trainer, place, reason):
    if place.rank == 0 and trainer is not None and trainer.run is not None:
        try:
            trainer.run.status(state="failed", reason=reason)
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main())
