"""A stand-in for DeepSpeed's documented API, for testing the trainer's adapter where DeepSpeed cannot be installed
(Debian). It implements the calls the adapter makes, with DeepSpeed's documented semantics: initialize builds the
optimizer from the config's "optimizer" block over model_parameters and calls a client lr_scheduler callable with it;
backward(loss, scale_wrt_gas) divides by gradient_accumulation_steps unless told not to; step() is called after every
micro-batch and updates (clipping to gradient_clipping, then scheduler.step()) at the accumulation boundary. It is
NOT DeepSpeed: no ZeRO partitioning, no mixed precision, one process or DDP-free averaging over gloo."""
import os

import torch
import torch.distributed as dist

from . import utils, zero  # noqa: F401

__version__ = "0.0-fake"


class Engine(torch.nn.Module):
    def __init__(self, model, optimizer, scheduler, config):
        super().__init__()
        self.module = model
        self.optimizer = optimizer
        self.lr_scheduler = scheduler
        self.config = config
        self.gas = config.get("gradient_accumulation_steps", 1)
        self.clip = config.get("gradient_clipping", 0.0)
        self.micro_steps = 0
        self.global_steps = 0
        self._norm = None

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def backward(self, loss, retain_graph=False, scale_wrt_gas=True):
        (loss / self.gas if scale_wrt_gas else loss).backward(retain_graph=retain_graph)
        return loss

    def is_gradient_accumulation_boundary(self):
        return (self.micro_steps + 1) % self.gas == 0

    def step(self, lr_kwargs=None):
        if self.is_gradient_accumulation_boundary():
            params = [p for g in self.optimizer.param_groups for p in g["params"]]
            if dist.is_initialized() and dist.get_world_size() > 1:
                for p in params:
                    if p.grad is not None:
                        dist.all_reduce(p.grad)
                        p.grad /= dist.get_world_size()
            self._norm = float(torch.nn.utils.clip_grad_norm_(params, self.clip if self.clip > 0 else float("inf")))
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
            self.lr_scheduler.step()
            self.global_steps += 1
        self.micro_steps += 1

    def get_global_grad_norm(self):
        return self._norm

    def save_checkpoint(self, save_dir, tag=None, client_state={}, save_latest=True):
        os.makedirs(os.path.join(save_dir, tag), exist_ok=True)
        torch.save({"optimizer": self.optimizer.state_dict(), "lr_scheduler": self.lr_scheduler.state_dict(),
                    "global_steps": self.global_steps},
                   os.path.join(save_dir, tag, "fake_states.pt"))

    def load_checkpoint(self, load_dir, tag=None, load_module_strict=True, load_optimizer_states=True,
                        load_lr_scheduler_states=True, load_module_only=False, custom_load_fn=None):
        s = torch.load(os.path.join(load_dir, tag, "fake_states.pt"))
        if load_optimizer_states:
            self.optimizer.load_state_dict(s["optimizer"])
        if load_lr_scheduler_states:
            self.lr_scheduler.load_state_dict(s["lr_scheduler"])
        self.global_steps = s["global_steps"]
        return load_dir, {}


def initialize(args=None, model=None, optimizer=None, model_parameters=None, training_data=None, lr_scheduler=None,
               config=None, **kwargs):
    opt_cfg = config["optimizer"]
    assert opt_cfg["type"].lower() == "adamw", opt_cfg
    params = dict(opt_cfg["params"])
    opt = torch.optim.AdamW(model_parameters, lr=params["lr"], betas=tuple(params["betas"]), eps=params["eps"],
                            weight_decay=params["weight_decay"])
    sched = lr_scheduler(opt) if callable(lr_scheduler) else lr_scheduler
    engine = Engine(model, opt, sched, config)
    for g in opt.param_groups:
        for p in g["params"]:
            p._fake_optimizer = opt
    return engine, opt, None, sched
