"""One small interface over the ways a step can be distributed, so the training loop is written once.

    ddp        DistributedDataParallel + AdamW: every rank holds everything (ZeRO stage 0).
    zero1      DDP + torch's ZeroRedundancyOptimizer(AdamW): optimizer states sharded (ZeRO stage 1).
    fsdp       FullyShardedDataParallel: SHARD_GRAD_OP (~ ZeRO-2) or FULL_SHARD (~ ZeRO-3); torch >= 2.0 (CPU: >= 2.2).
    deepspeed  DeepSpeed's engine with the planner's ds_config.json: ZeRO 0-3, optimizer/parameter offload.

An engine the installed software cannot run is refused in one line naming what is missing (``EngineUnavailable``).
Every engine is driven the same way: ``forward`` for each micro-batch, ``backward(loss, last)``, then ``step(lr)``;
``model_state``, ``optimizer_state`` and ``load_optimizer_state`` are collective (all ranks call them).
"""
import contextlib
import json

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

ENGINES = ("ddp", "zero1", "fsdp", "deepspeed")
BETAS = (0.9, 0.999)
EPS = 1e-8


class EngineUnavailable(RuntimeError):
    """The engine cannot run with the installed software; the message says what is missing."""


def param_groups(model, weight_decay):
    """AdamW groups as the Java trainer's AdamW makes them (and Hugging Face's Trainer): weight decay on every trained
    parameter except biases and LayerNorm weights. Each group keeps its parameter names so optimizer states can be
    saved by key."""
    norm_params = {id(p) for m in model.modules() if isinstance(m, torch.nn.LayerNorm) for p in m.parameters()}
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if p.requires_grad:
            exempt = name.endswith("bias") or id(p) in norm_params
            (no_decay if exempt else decay).append((name, p))
    groups = []
    for named, wd in ((decay, weight_decay), (no_decay, 0.0)):
        if named:
            groups.append({"params": [p for _, p in named], "names": [n for n, _ in named], "weight_decay": wd})
    return groups


def torch_version():
    return tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2] if x.isdigit())


class Engine:
    name = "?"

    def __init__(self, model, args, world, rank, device):
        self.args = args
        self.world = world
        self.rank = rank
        self.device = device
        self.raw = model  # the unwrapped model: names, state dicts
        self.groups = param_groups(model, args.weight_decay)
        self.trainable = [p for g in self.groups for p in g["params"]]
        self.names = [n for g in self.groups for n in g["names"]]
        self.model = model
        # fp16 on GPUs needs loss scaling (bf16 and fp32 do not); DeepSpeed scales inside its own engine
        self.scaler = torch.cuda.amp.GradScaler() \
            if getattr(args, "precision", "fp32") == "fp16" and device.type == "cuda" else None

    # forward and backward
    def forward(self, batch):
        return self.model(batch["pixel_values"], batch["input_ids"], batch["attention_mask"], batch.get("labels"))

    def sync_context(self, last):
        """No gradient all-reduce on micro-batches before the last one of a step."""
        return contextlib.nullcontext() if last or not hasattr(self.model, "no_sync") else self.model.no_sync()

    def backward(self, loss, last):
        (self.scaler.scale(loss) if self.scaler is not None else loss).backward()

    def step(self, lr):
        raise NotImplementedError

    def _update(self, lr):
        """Unscale (fp16), clip, set the learning rate, step, clear the gradients; returns the gradient norm."""
        if self.scaler is not None:
            self.scaler.unscale_(self.optimizer)
        norm = self.clip()
        self.set_lr(lr)
        if self.scaler is not None:
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return norm

    def set_lr(self, lr):
        for g in self.optimizer.param_groups:
            g["lr"] = lr

    def clip(self):
        """The gradients' global 2-norm, clipped to --grad-clip when that is positive."""
        max_norm = self.args.grad_clip if self.args.grad_clip > 0 else float("inf")
        return float(torch.nn.utils.clip_grad_norm_(self.trainable, max_norm))

    # state
    def model_state(self):
        """{key: float32 tensor} of the whole model on rank 0 (None elsewhere)."""
        if self.rank != 0:
            return None
        return {k: v.detach().float().cpu() for k, v in self.raw.state_dict().items()}

    def optimizer_state(self):
        """({"exp_avg.<key>": t, "exp_avg_sq.<key>": t}, optimizer step count) on rank 0 (None elsewhere)."""
        raise NotImplementedError

    def load_optimizer_state(self, tensors, step):
        raise NotImplementedError

    def _adam_state_by_name(self, state_of):
        out = {}
        step = 0
        for name, p in zip(self.names, self.trainable):
            s = state_of(p)
            if not s:
                continue
            out["exp_avg." + name] = s["exp_avg"].detach().float().cpu()
            out["exp_avg_sq." + name] = s["exp_avg_sq"].detach().float().cpu()
            step = int(s["step"]) if "step" in s else step
        return out, step

    def _adam_load_by_name(self, optimizer, tensors, step):
        for name, p in zip(self.names, self.trainable):
            if "exp_avg." + name not in tensors:
                raise ValueError(f"optimizer.safetensors has no state for {name}")
            optimizer.state[p] = {
                "step": torch.tensor(float(step)) if torch_version() >= (1, 12) else step,
                "exp_avg": tensors["exp_avg." + name].to(p.device, p.dtype),
                "exp_avg_sq": tensors["exp_avg_sq." + name].to(p.device, p.dtype)}


def _adamw(groups, args, **extra):
    return torch.optim.AdamW([{"params": g["params"], "weight_decay": g["weight_decay"]} for g in groups],
                             lr=args.lr, betas=BETAS, eps=EPS, **extra)


class DdpEngine(Engine):
    name = "ddp"

    def __init__(self, model, args, world, rank, device):
        super().__init__(model, args, world, rank, device)
        if world > 1:
            self.model = DDP(model, device_ids=[device.index] if device.type == "cuda" else None)
        self.optimizer = _adamw(self.groups, args)

    def step(self, lr):
        return self._update(lr)

    def optimizer_state(self):
        if self.rank != 0:
            return None
        return self._adam_state_by_name(lambda p: self.optimizer.state.get(p))

    def load_optimizer_state(self, tensors, step):
        self._adam_load_by_name(self.optimizer, tensors, step)


class Zero1Engine(DdpEngine):
    """DDP for the gradients; each rank updates (and holds the Adam states of) its share of the parameters, then
    broadcasts them: torch's ZeroRedundancyOptimizer, ZeRO stage 1."""
    name = "zero1"

    def __init__(self, model, args, world, rank, device):
        Engine.__init__(self, model, args, world, rank, device)
        from torch.distributed.optim import ZeroRedundancyOptimizer
        self.model = DDP(model, device_ids=[device.index] if device.type == "cuda" else None) if world > 1 else model
        self.optimizer = ZeroRedundancyOptimizer(
            [{"params": g["params"], "weight_decay": g["weight_decay"]} for g in self.groups],
            optimizer_class=torch.optim.AdamW, lr=args.lr, betas=BETAS, eps=EPS)

    def optimizer_state(self):
        # gather every shard's states on rank 0 (collective), then read them there by parameter
        self.optimizer.consolidate_state_dict(to=0)
        if self.rank != 0:
            return None
        full = self.optimizer.state_dict()
        index = {}
        i = 0
        for g in full["param_groups"]:
            for pid in g["params"]:
                index[pid] = i
                i += 1
        by_position = {index[pid]: s for pid, s in full["state"].items()}
        position = {id(p): n for n, p in enumerate(self.trainable)}
        return self._adam_state_by_name(lambda p: by_position.get(position[id(p)]))

    def load_optimizer_state(self, tensors, step):
        # each rank keeps the states of the parameters it owns
        local = self.optimizer.optim
        owned = {id(p) for g in local.param_groups for p in g["params"]}
        for name, p in zip(self.names, self.trainable):
            if id(p) in owned:
                local.state[p] = {"step": torch.tensor(float(step)),
                                  "exp_avg": tensors["exp_avg." + name].to(p.device, p.dtype),
                                  "exp_avg_sq": tensors["exp_avg_sq." + name].to(p.device, p.dtype)}


class FsdpEngine(Engine):
    """FullyShardedDataParallel, one unit per transformer block, original parameter names kept."""
    name = "fsdp"

    def __init__(self, model, args, world, rank, device):
        try:
            import functools
            from torch.distributed.fsdp import FullyShardedDataParallel as FSDP, ShardingStrategy
            from torch.distributed.fsdp.wrap import transformer_auto_wrap_policy
        except Exception as e:  # torch 1.13 on Debian fails inside fsdp/flat_param.py
            raise EngineUnavailable(f"engine fsdp needs torch.distributed.fsdp, which does not import in torch "
                                    f"{torch.__version__} ({type(e).__name__}: {str(e)[:120]}); use torch >= 2.0, or "
                                    f"--engine zero1|ddp") from None
        if torch_version() < (2, 0):
            raise EngineUnavailable(f"engine fsdp needs torch >= 2.0 (use_orig_params); this is torch {torch.__version__}")
        if device.type == "cpu" and torch_version() < (2, 2):
            raise EngineUnavailable(f"engine fsdp on CPU needs torch >= 2.2; this is torch {torch.__version__}")
        super().__init__(model, args, world, rank, device)
        from .model import bloom, qformer, vit
        self.FSDP = FSDP
        stage = args.zero if args.zero is not None else 3
        strategy = ShardingStrategy.FULL_SHARD if stage >= 3 else ShardingStrategy.SHARD_GRAD_OP
        policy = functools.partial(transformer_auto_wrap_policy,
                                   transformer_layer_cls={vit.Block, qformer.Layer, bloom.Block})
        self.model = FSDP(model, sharding_strategy=strategy, auto_wrap_policy=policy, use_orig_params=True,
                          device_id=device if device.type == "cuda" else None)
        # after wrapping, the parameters the optimizer sees are FSDP's views of the originals (same names)
        named = dict(self.model.named_parameters())
        clean = {k.replace("_fsdp_wrapped_module.", ""): v for k, v in named.items()}
        for g in self.groups:
            g["params"] = [clean[n] for n in g["names"]]
        self.trainable = [p for g in self.groups for p in g["params"]]
        self.optimizer = _adamw(self.groups, args)
        if self.scaler is not None:
            from torch.distributed.fsdp.sharded_grad_scaler import ShardedGradScaler
            self.scaler = ShardedGradScaler()

    def clip(self):
        max_norm = self.args.grad_clip if self.args.grad_clip > 0 else float("inf")
        return float(self.model.clip_grad_norm_(max_norm))

    def step(self, lr):
        return self._update(lr)

    def _full(self):
        from torch.distributed.fsdp import FullStateDictConfig, StateDictType
        return self.FSDP.state_dict_type(self.model, StateDictType.FULL_STATE_DICT,
                                         FullStateDictConfig(offload_to_cpu=True, rank0_only=True))

    def model_state(self):
        with self._full():
            sd = self.model.state_dict()  # collective
        if self.rank != 0:
            return None
        return {k.replace("_fsdp_wrapped_module.", ""): v.detach().float().cpu() for k, v in sd.items()}

    def optimizer_state(self):
        with self._full():
            osd = self.FSDP.optim_state_dict(self.model, self.optimizer)  # collective; keys are parameter names
        if self.rank != 0:
            return None
        out, step = {}, 0
        for name, s in osd["state"].items():
            name = name.replace("_fsdp_wrapped_module.", "")
            out["exp_avg." + name] = s["exp_avg"].float().cpu()
            out["exp_avg_sq." + name] = s["exp_avg_sq"].float().cpu()
            step = int(s["step"])
        return out, step

    def load_optimizer_state(self, tensors, step):
        state = {}
        for name in self.names:
            state[name] = {"step": torch.tensor(float(step)), "exp_avg": tensors["exp_avg." + name],
                           "exp_avg_sq": tensors["exp_avg_sq." + name]}
        groups = [{"params": g["names"], "lr": self.args.lr, "betas": BETAS, "eps": EPS,
                   "weight_decay": g["weight_decay"], "amsgrad": False, "maximize": False, "foreach": None,
                   "capturable": False, "differentiable": False, "fused": None} for g in self.groups]
        with self._full():
            osd = self.FSDP.optim_state_dict_to_load(self.model, self.optimizer, {"state": state, "param_groups": groups})
        self.optimizer.load_state_dict(osd)


class DeepSpeedEngine(Engine):
    """DeepSpeed's engine, kept thin and written to its documented API (deepspeed.initialize, engine.backward,
    engine.step, save_checkpoint; deepspeed.utils.safe_get_full_fp32_param / safe_get_full_optimizer_state). The
    optimizer comes from ds_config.json's "optimizer" block (DeepSpeed picks its fused or CPU Adam); the learning
    rate follows this trainer's schedule through a client LambdaLR. DeepSpeed accumulates gradients itself: step()
    is called after every micro-batch and applies the update at the boundary (gradient_accumulation_steps)."""
    name = "deepspeed"

    def __init__(self, model, args, world, rank, device, schedule, start_step=0):
        try:
            import deepspeed
        except Exception as e:
            raise EngineUnavailable(f"engine deepspeed needs the deepspeed package, which does not import here "
                                    f"({type(e).__name__}: {str(e)[:120]}); install it (pip install deepspeed) on "
                                    f"the GPU machines, or use --engine zero1|ddp|fsdp") from None
        super().__init__(model, args, world, rank, device)
        self.ds = deepspeed
        if not args.deepspeed_config:
            raise EngineUnavailable("engine deepspeed needs --deepspeed-config FILE (the launcher writes ds_config.json)")
        with open(args.deepspeed_config, encoding="utf-8") as f:
            cfg = json.load(f)
        check_ds_config(cfg, args, world)
        self.stage = cfg.get("zero_optimization", {}).get("stage", 0)
        groups = [{"params": g["params"], "weight_decay": g["weight_decay"]} for g in self.groups]
        # the schedule counts from the step the run starts at; a resumed run does not take DeepSpeed's saved
        # scheduler state (load_native), so the learning rate never depends on what DeepSpeed saved
        self.model, self.optimizer, _, self.scheduler = deepspeed.initialize(
            model=model, model_parameters=groups, config=cfg,
            lr_scheduler=lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda s: schedule(s + start_step) / args.lr))

    def forward(self, batch):
        return self.model(batch["pixel_values"], batch["input_ids"], batch["attention_mask"], batch.get("labels"))

    def sync_context(self, last):
        return contextlib.nullcontext()  # DeepSpeed knows the boundary from gradient_accumulation_steps

    def backward(self, loss, last):
        # the loss is already normalised by the step's token count: no further division by the accumulation steps
        self.model.backward(loss, scale_wrt_gas=False)
        self.model.step()

    def step(self, lr):
        return float(self.model.get_global_grad_norm() or 0.0)

    def _full_param(self, p):
        """fp32 master weights for trained parameters; frozen ones gathered (ZeRO-3) in their training dtype."""
        from deepspeed.utils import safe_get_full_fp32_param
        if p.requires_grad:
            return safe_get_full_fp32_param(p)
        if self.stage == 3:
            with self.ds.zero.GatheredParameters([p]):
                return p.data.detach().clone()
        return p.data

    def model_state(self):
        """Trained parameters as their fp32 master copy; frozen ones in the dtype they trained in (bf16 under
        DeepSpeed's bf16), which readers take too and which halves rank 0's CPU memory for a 7B model."""
        out = {}
        for name, p in self.raw.named_parameters():
            t = self._full_param(p)  # collective under ZeRO-3
            if self.rank == 0:
                out[name] = (t.detach().float() if p.requires_grad else t.detach()).cpu()
        return out if self.rank == 0 else None

    def optimizer_state(self):
        from deepspeed.utils import safe_get_full_optimizer_state
        out = {}
        for name, p in zip(self.names, self.trainable):
            m = safe_get_full_optimizer_state(p, "exp_avg")
            v = safe_get_full_optimizer_state(p, "exp_avg_sq")
            if self.rank == 0 and m is not None:
                out["exp_avg." + name] = m.float().cpu()
                out["exp_avg_sq." + name] = v.float().cpu()
        return (out, int(self.model.global_steps)) if self.rank == 0 else None

    def load_optimizer_state(self, tensors, step):
        from deepspeed.utils import safe_set_full_optimizer_state
        for name, p in zip(self.names, self.trainable):
            safe_set_full_optimizer_state(p, tensors["exp_avg." + name].to(self.device), "exp_avg")
            safe_set_full_optimizer_state(p, tensors["exp_avg_sq." + name].to(self.device), "exp_avg_sq")

    def save_native(self, folder):
        """DeepSpeed's own checkpoint (partitioned states) beside the model folder, for exact resumption."""
        self.model.save_checkpoint(folder, tag="deepspeed")

    def load_native(self, folder):
        self.model.load_checkpoint(folder, tag="deepspeed", load_lr_scheduler_states=False)


def check_ds_config(cfg, args, world):
    """The planner's ds_config.json must describe this run: DeepSpeed's batch triple and the trainer's optimizer."""
    mb = cfg.get("train_micro_batch_size_per_gpu")
    gas = cfg.get("gradient_accumulation_steps", 1)
    tb = cfg.get("train_batch_size")
    problems = []
    if mb != args.batch_size:
        problems.append(f"train_micro_batch_size_per_gpu {mb} != --batch-size {args.batch_size}")
    if gas != args.grad_accum:
        problems.append(f"gradient_accumulation_steps {gas} != --grad-accum {args.grad_accum}")
    if tb is not None and mb is not None and tb != mb * gas * world:
        problems.append(f"train_batch_size {tb} != {mb} * {gas} * world size {world}")
    opt = cfg.get("optimizer", {}).get("params", {})
    if opt.get("lr") is not None and abs(opt["lr"] - args.lr) > 1e-12:
        problems.append(f"optimizer lr {opt['lr']} != --lr {args.lr}")
    if opt.get("weight_decay") is not None and abs(opt["weight_decay"] - args.weight_decay) > 1e-12:
        problems.append(f"optimizer weight_decay {opt['weight_decay']} != --weight-decay {args.weight_decay}")
    if abs(cfg.get("gradient_clipping", 0.0) - args.grad_clip) > 1e-12:
        problems.append(f"gradient_clipping {cfg.get('gradient_clipping', 0.0)} != --grad-clip {args.grad_clip}")
    if "scheduler" in cfg:
        problems.append("a \"scheduler\" block (this trainer sets the learning rate schedule itself)")
    if problems:
        raise EngineUnavailable(f"{args.deepspeed_config} does not match this run: " + "; ".join(problems))


def make(name, model, args, world, rank, device, schedule, start_step=0):
    if name == "ddp":
        return DdpEngine(model, args, world, rank, device)
    if name == "zero1":
        return Zero1Engine(model, args, world, rank, device)
    if name == "fsdp":
        return FsdpEngine(model, args, world, rank, device)
    if name == "deepspeed":
        return DeepSpeedEngine(model, args, world, rank, device, schedule, start_step)
    raise EngineUnavailable(f"unknown engine {name!r} ({', '.join(ENGINES)})")


def all_reduce_sum(values, device):
    """Sums a list of floats over the ranks (a no-op in one process)."""
    t = torch.tensor(values, dtype=torch.float64, device=device)
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        dist.all_reduce(t)
    return t.tolist()
