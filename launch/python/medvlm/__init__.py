"""MedVLM's Python trainer: the same VLM as the Java toolkit (timm ViT, BLIP-2 Q-Former or Flamingo fusion,
BLOOM) with the same parameter names, trained on one or many processes (DDP, ZeRO-1, FSDP, DeepSpeed).

Entry points: ``python3 -m medvlm.train`` (training), ``python3 -m medvlm.convert`` (BiomedCLIP's open_clip
pickle to safetensors), ``python3 -m medvlm.stepcheck`` (one step's loss, gradients and update, for comparing
with the Java trainer), ``python3 -m medvlm.bench`` (CPU throughput) and ``python3 -m medvlm.gpu_bench``.
Only PyTorch is required; DeepSpeed is used when importable.
"""

__version__ = "0.1.0"
