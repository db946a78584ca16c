"""Where this process sits in the job, and the process group. The launchers give the same facts differently:
torchrun and DeepSpeed's launcher set RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT; the toolkit's
``local`` launcher sets them itself (Debian's torchrun is broken); under Slurm's srun each task has SLURM_PROCID,
SLURM_NTASKS and SLURM_LOCALID, and the generated sbatch script exports MASTER_ADDR and MASTER_PORT."""
import dataclasses
import datetime
import os
import socket
import sys
import threading
import time

import torch
import torch.distributed as dist


@dataclasses.dataclass
class Place:
    rank: int
    world: int
    local_rank: int


def place():
    env = os.environ
    if "RANK" in env and "WORLD_SIZE" in env:
        return Place(int(env["RANK"]), int(env["WORLD_SIZE"]), int(env.get("LOCAL_RANK", "0")))
    if "SLURM_PROCID" in env and "SLURM_NTASKS" in env:
        return Place(int(env["SLURM_PROCID"]), int(env["SLURM_NTASKS"]), int(env.get("SLURM_LOCALID", "0")))
    return Place(0, 1, 0)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def init(p, device_type, timeout_s=600):
    """The default process group (gloo on CPU, NCCL on GPUs); a single process gets a private one on 127.0.0.1, so
    the engines that need a group (ZeroRedundancyOptimizer) run the same way with one process."""
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    if p.world == 1:
        os.environ.setdefault("MASTER_PORT", str(_free_port()))
    elif "MASTER_PORT" not in os.environ:
        raise RuntimeError("MASTER_PORT is not set (the launcher sets it for every rank)")
    backend = "nccl" if device_type == "cuda" else "gloo"
    dist.init_process_group(backend, rank=p.rank, world_size=p.world, timeout=datetime.timedelta(seconds=timeout_s))


def redirect_output(log_path):
    """Sends this process's stdout and stderr (Python's and the C++ side's) to its rank log, appending, line-buffered:
    every rank has its own log, whatever launcher started it."""
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)


def exit_with_parent(interval_s=1.0):
    """Exits this rank when the process that started it is gone (a killed launcher or supervisor), so no rank is left
    behind waiting in a collective that will never complete."""
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(interval_s)
            if os.getppid() != parent:
                print(f"medvlm: parent process {parent} is gone; exiting", file=sys.stderr, flush=True)
                os._exit(3)

    threading.Thread(target=watch, name="medvlm-parent-watch", daemon=True).start()


def barrier():
    if dist.is_initialized() and dist.get_world_size() > 1:
        dist.barrier()


def broadcast_object(obj, src=0):
    if dist.is_initialized() and dist.get_world_size() > 1:
        box = [obj]
        dist.broadcast_object_list(box, src=src)
        return box[0]
    return obj


def gather_objects(obj):
    if dist.is_initialized() and dist.get_world_size() > 1:
        out = [None] * dist.get_world_size()
        dist.all_gather_object(out, obj)
        return out
    return [obj]


def device_for(p, kind):
    if kind == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("--device cuda: torch sees no CUDA device here")
        torch.cuda.set_device(p.local_rank)
        return torch.device("cuda", p.local_rank)
    return torch.device("cpu")
