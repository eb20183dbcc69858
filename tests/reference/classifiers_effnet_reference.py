"""Reference for EfficientNet (B0-B7, V1) and ConvNeXt in src/Classifiers: real torchvision 0.14 classes at small
configurations, their logits, and Grad-CAM maps computed by pytorch-grad-cam 1.5.5 itself (the fixture format and
helpers of classifiers_reference.py, imported from it).

Writes tests/fixtures/classifiers/:
  efficientnet_small.pt/.json  EfficientNet from torchvision's own efficientnet_b0 setting (_efficientnet_conf) at
                               width_mult 0.25, depth_mult 0.5: all seven stages (their strides are torchvision's,
                               not in a state dict), blocks [1, 1, 1, 2, 2, 2, 1], with and without expansion, 3x3 and
                               5x5 depthwise convs, residual blocks; 6 classes
  convnext_small_cfg.pt/.json  ConvNeXt with block_setting (8->16, 1), (16->24, 2), (24->32, 1), (32, 1); 5 classes;
                               LayerNorm affine parameters and layer_scale randomised (torchvision's 1e-6 layer_scale
                               would hide every block), convs and Linears at unit gain
  arch_layouts.json            key -> shape of the real efficientnet_b0..b7 and convnext_tiny/small/base/large
                               (randomly initialised, never saved), compactly: the names inference must give them
Run: PYTHONPATH=/tmp/pgc /usr/bin/python3 tests/reference/classifiers_effnet_reference.py [names...]
"""
import json
import os
import sys

import torch
import torch.nn as nn
from torchvision.models import convnext, efficientnet

import classifiers_reference as ref

OUT = ref.OUT
SIZE = ref.SIZE


def small_efficientnet(classes):
    setting, last = efficientnet._efficientnet_conf("efficientnet_b0", width_mult=0.25, depth_mult=0.5)
    return efficientnet.EfficientNet(setting, dropout=0.2, last_channel=last, num_classes=classes)


def small_convnext(classes):
    cfg = convnext.CNBlockConfig
    return convnext.ConvNeXt([cfg(8, 16, 1), cfg(16, 24, 2), cfg(24, 32, 1), cfg(32, None, 1)], num_classes=classes)


def randomise_convnext(model, gen):
    """LayerNorm affine parameters and layer_scale away from 1/0 and 1e-6; convs and Linears at gain 1 (torchvision's
    trunc_normal(0.02) init makes every signal tiny)."""
    for name, m in model.named_modules():
        with torch.no_grad():
            if isinstance(m, nn.LayerNorm):
                n = m.normalized_shape[0]
                m.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
            elif isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * fan_in ** -0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.rand(m.bias.shape, generator=gen) * 0.2 - 0.1)
            elif isinstance(m, convnext.CNBlock):
                m.layer_scale.copy_(torch.rand(m.layer_scale.shape, generator=gen) * 0.5 + 0.5)


MODELS = [
    # name, builder, randomiser, facts, cases (layers in forward order, each module called once)
    ("efficientnet_small", lambda: small_efficientnet(6), ref.randomise_batchnorm,
     {"family": "efficientnet", "name": "efficientnet (custom)", "layers": [1, 1, 1, 2, 2, 2, 1]},
     [["features.8"], ["features.2.0", "features.4.1.block", "features.5.0.block.1", "features.5.0.block.2", "features.6.1"]]),
    ("convnext_small_cfg", lambda: small_convnext(5), randomise_convnext,
     {"family": "convnext", "name": "convnext (custom)", "layers": [1, 2, 1, 1]},
     [["features.7"], ["features.0", "features.1.0.block.0", "features.3.1", "features.4", "features.5.0.block"]]),
]

# The Linear right after the global average pool (the original CAM); ConvNeXt has a LayerNorm in between
ref.CAM_HEADS["efficientnet_small"] = "classifier.1"

LAYOUTS = [("efficientnet_b%d" % i, getattr(efficientnet, "efficientnet_b%d" % i)) for i in range(8)] + \
          [(n, getattr(convnext, n)) for n in ("convnext_tiny", "convnext_small", "convnext_base", "convnext_large")]


def write_layouts():
    """Every key and shape of the real builders (one line per model: [[key, shape], ...], the weights dropped)."""
    out = {}
    for name, build in LAYOUTS:
        torch.manual_seed(0)
        sd = build().state_dict()
        out[name] = [[k, list(v.shape)] for k, v in sd.items()]
        print("layout", name, len(sd), "tensors")
    with open(os.path.join(OUT, "arch_layouts.json"), "w") as f:
        json.dump({"generator": "tests/reference/classifiers_effnet_reference.py (torchvision builders, PyTorch %s)" % torch.__version__,
                   "layouts": out}, f, separators=(",", ":"))


def main():
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    for i, (name, build, randomise, facts, cases) in enumerate(MODELS):
        if only and name not in only:
            continue
        gen = torch.Generator().manual_seed(200 + i)
        torch.manual_seed(200 + i)
        model = build()
        randomise(model, gen)
        model.eval()
        torch.save(model.state_dict(), os.path.join(OUT, name + ".pt"))
        model = model.double()
        x = torch.randn(1, 3, SIZE, SIZE, generator=gen).float().double()
        with torch.no_grad():
            logits = model(x)
        top = int(logits.argmax())
        n = logits.shape[1]
        classes = [top, (top + 3) % n]
        out_cases = []
        for layers in cases:
            raw, final = ref.explain(model, x, layers, classes)
            out_cases.append({"layers": layers, "classes": classes,
                              "raw": {l: ref.compact(torch.from_numpy(r.copy()), 7) for l, r in zip(layers, raw)},
                              "final": ref.compact(torch.from_numpy(final), 5)})
        methods = ref.other_methods(name, model, x, cases[0], classes)
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"generator": "tests/reference/classifiers_effnet_reference.py (PyTorch %s, pytorch-grad-cam 1.5.5 @084273b, float64)" % torch.__version__,
                       "facts": facts, "classes": n, "input": ref.compact(x, 9), "logits": ref.compact(logits[0], 9), "cases": out_cases,
                       "methods": methods}, f)
        print("wrote", name, "classes", classes, "logits", [round(v, 4) for v in logits[0].tolist()])
    if not only or "layouts" in only:
        write_layouts()


if __name__ == "__main__":
    main()
