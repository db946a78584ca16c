"""Shared helpers for the kernel tests: start the installed kernel, run cells, record iopub messages.

The JUnit drivers set JUPYTER_PATH to the folder where `medvlm install-kernel --prefix` put the
kernelspec, and MEDVLM_KERNEL_NAME to its name.
"""
import os
import time
from queue import Empty

from jupyter_client.manager import start_new_kernel

KERNEL_NAME = os.environ.get("MEDVLM_KERNEL_NAME", "medvlm")
# the first cell waits for the compiler warm-up; on a loaded 2-core machine that can take a while
FIRST_CELL_TIMEOUT = 180
TIMEOUT = 60


def start():
    """Starts the kernel and waits until a first cell has run (so timings exclude the warm-up)."""
    started = time.monotonic()
    km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=120)
    ready = time.monotonic() - started
    reply, _ = execute(kc, "1 + 1", timeout=FIRST_CELL_TIMEOUT)
    first = time.monotonic() - started
    assert reply["content"]["status"] == "ok", reply
    return km, kc, ready, first


def stop(km, kc):
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def execute(kc, code, timeout=TIMEOUT, **kwargs):
    """Runs one cell; returns (execute_reply, [iopub messages of that cell except status/execute_input])."""
    msg_id = kc.execute(code, **kwargs)
    reply = shell_reply(kc, msg_id, timeout)
    return reply, iopub_until_idle(kc, msg_id, timeout)


def shell_reply(kc, msg_id, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while True:
        reply = kc.get_shell_msg(timeout=max(0.01, deadline - time.monotonic()))
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def iopub_until_idle(kc, msg_id, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    outputs = []
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.01, deadline - time.monotonic()))
        except Empty:
            raise AssertionError("no idle status within %s s; got %s" % (timeout, [m["msg_type"] for m in outputs]))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "status":
            if msg["content"]["execution_state"] == "idle":
                return outputs
            continue
        if kind != "execute_input":
            outputs.append(msg)


def text_of(outputs, kind="execute_result"):
    return [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == kind]
