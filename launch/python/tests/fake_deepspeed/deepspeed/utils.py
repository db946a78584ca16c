"""deepspeed.utils: the full-parameter accessors (tensor_fragment.py) over the stand-in's unpartitioned state."""


def safe_get_full_fp32_param(param):
    return param.data.float()


def safe_get_full_optimizer_state(param, optim_state_key):
    opt = getattr(param, "_fake_optimizer", None)
    state = opt.state.get(param) if opt is not None else None
    return None if not state else state[optim_state_key]


def safe_set_full_optimizer_state(param, value, optim_state_key):
    param._fake_optimizer.state.setdefault(param, {})[optim_state_key] = value.clone()
