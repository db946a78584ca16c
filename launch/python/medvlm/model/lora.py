"""LoRA adapters as PEFT names and initialises them: a target Linear keeps ``weight`` and ``bias`` and gains
``lora_A.weight`` (r, in) and ``lora_B.weight`` (out, r); y = W x + b + (lora_alpha / r) B(A(dropout(x))).
lora_A starts kaiming-uniform(a=sqrt(5)) and lora_B at zero, so an untrained adapter changes nothing. A target name
matches a module whose last key segment equals it (PEFT's rule)."""
import math

import torch.nn as nn
import torch.nn.functional as F


class LoraLinear(nn.Module):
    def __init__(self, base: nn.Linear, r, alpha, dropout):
        super().__init__()
        self.weight = base.weight
        self.bias = base.bias
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        self.lora_dropout = nn.Dropout(dropout)
        self.scaling = alpha / r
        self.reset_lora()

    def reset_lora(self):
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)

    def forward(self, x):
        return F.linear(x, self.weight, self.bias) + self.lora_B(self.lora_A(self.lora_dropout(x))) * self.scaling


def add_lora(model, cfg):
    """Replaces every nn.Linear of ``model`` whose name ends in a target with a LoraLinear; returns their names."""
    replaced = []
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if isinstance(child, nn.Linear) and child_name in cfg.target_modules:
                setattr(module, child_name, LoraLinear(child, cfg.r, cfg.lora_alpha, cfg.lora_dropout))
                replaced.append(f"{name}.{child_name}" if name else child_name)
    if not replaced:
        raise ValueError(f"lora target_modules {cfg.target_modules} match no Linear of the language model")
    return replaced
