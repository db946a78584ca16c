"""The VLM's parts, one file each, read top to bottom: ``vit`` (timm ViT), ``qformer`` (HF Blip2QFormerModel),
``flamingo`` (OpenFlamingo perceiver + gated cross-attention), ``bloom`` (HF BLOOM), ``lora`` (PEFT-named
adapters) and ``vlm`` (the composite, its loading, saving and loss). Attribute paths are checkpoint keys."""
