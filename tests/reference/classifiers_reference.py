"""Reference for src/Classifiers and src/Cam.Classifiers: real torchvision 0.14 classifier classes at small widths,
their logits, and Grad-CAM maps computed by pytorch-grad-cam 1.5.5 itself.

pytorch-grad-cam is not vendored: fetch jacobgil/pytorch-grad-cam, `git archive 084273b pytorch_grad_cam` into a
folder outside the repository and put it on PYTHONPATH (it imports cv2, scipy, matplotlib, ttach; Debian's
python3-opencv, python3-scipy, python3-matplotlib; ttach is only used for test-time augmentation, which is not
called here).

Writes tests/fixtures/classifiers/:
  <name>.pt         the state dict (torch.save, zip format), float32
  <name>.json       architecture facts, classes, the input [1, 3, 64, 64], logits, and per case (a list of layers
                    and K = 2 target classes explained in one batch) each layer's raw Grad-CAM map [K, h, w] (ReLU'd,
                    before pytorch-grad-cam's scaling) and the final map [K, 64, 64] pytorch-grad-cam returns
Models are built with torchvision's own classes: ResNet/ResNeXt through ResNet._make_layer at small widths (the
classes fix the widths 64..512; the module tree is exactly what torchvision builds for a narrower net), VGG from
torchvision.models.vgg.make_layers with a narrow classifier head of VGG's layout (VGG hard-codes a 4096-wide head),
DenseNet and MobileNetV2 through their constructors' own parameters. BatchNorm statistics are randomised so that
folding is exercised. Everything runs in float64 from float32-exact weights and input.
Run: PYTHONPATH=/tmp/pgc /usr/bin/python3 tests/reference/classifiers_reference.py
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
from torchvision.models import densenet, mobilenetv2, resnet, vgg

from fixture_io import FIXTURES
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

OUT = os.path.join(FIXTURES, "classifiers")
SIZE = 64


def compact(t, digits):
    """An array in the fixture format with `digits` significant digits (9 keeps float32 values exact)."""
    t = t.detach().double().contiguous()
    return {"shape": list(t.shape), "data": [float("%.*g" % (digits, v)) for v in t.reshape(-1).tolist()]}


def randomise_batchnorm(model, gen):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
                m.running_mean.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
                m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)


def small_resnet(block, layers, widths, classes, groups=1, width_per_group=64):
    m = resnet.ResNet(block, [1, 1, 1, 1], num_classes=classes, groups=groups, width_per_group=width_per_group)
    m.inplanes = widths[0]
    m.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(widths[0])
    m.layer1 = m._make_layer(block, widths[0], layers[0])
    m.layer2 = m._make_layer(block, widths[1], layers[1], stride=2)
    m.layer3 = m._make_layer(block, widths[2], layers[2], stride=2)
    m.layer4 = m._make_layer(block, widths[3], layers[3], stride=2)
    m.fc = nn.Linear(widths[3] * block.expansion, classes)
    return m


def small_vgg(cfg, batch_norm, classes):
    m = vgg.VGG(vgg.make_layers(cfg, batch_norm=batch_norm), num_classes=classes)
    c = [v for v in cfg if v != "M"][-1]
    m.classifier = nn.Sequential(nn.Linear(c * 7 * 7, 24), nn.ReLU(True), nn.Dropout(), nn.Linear(24, 24),
                                 nn.ReLU(True), nn.Dropout(), nn.Linear(24, classes))
    return m


MODELS = [
    # name, builder, facts the loader must infer, cases: (layers, explained at once)
    ("resnet_basic", lambda: small_resnet(resnet.BasicBlock, [2, 1, 1, 2], [8, 16, 24, 32], 7),
     {"family": "resnet", "block": "basic", "layers": [2, 1, 1, 2]},
     [["layer4"], ["layer1.1.bn1", "layer3.0.relu"], ["layer2", "layer4.1"]]),
    ("resnext_bottleneck", lambda: small_resnet(resnet.Bottleneck, [1, 2, 1, 1], [8, 16, 16, 24], 6, groups=2, width_per_group=16),
     {"family": "resnet", "block": "bottleneck", "layers": [1, 2, 1, 1], "groups": 2},
     [["layer4"], ["layer1.0.bn2", "layer2.1.relu"]]),
    ("vgg_small", lambda: small_vgg([8, "M", 16, "M", 16, 16, "M", 24, "M"], False, 5),
     {"family": "vgg", "batch_norm": False}, [["features.13"], ["features.7", "features.10"]]),
    ("vgg_small_bn", lambda: small_vgg([8, "M", 16, "M", 16, 16, "M", 24, "M"], True, 5),
     {"family": "vgg", "batch_norm": True}, [["features.18"], ["features.6", "features.12"]]),
    ("densenet_small", lambda: densenet.DenseNet(growth_rate=8, block_config=(2, 3, 2, 2), num_init_features=16, bn_size=2, num_classes=6),
     {"family": "densenet", "growth_rate": 8, "block_config": [2, 3, 2, 2]},
     [["features.norm5"], ["features.transition2", "features.denseblock3.denselayer2.norm1", "features.denseblock3"]]),
    ("mobilenet_v2_025", lambda: mobilenetv2.MobileNetV2(width_mult=0.25, num_classes=5),
     {"family": "mobilenet_v2"}, [["features.18"], ["features.14", "features.17.conv.0.1", "features.17.conv.1"]]),
]


def explain(model, x, layers, classes):
    """Raw ReLU'd Grad-CAM per layer [K, h, w] and the final map [K, H, W], from pytorch-grad-cam (K = batch)."""
    modules = dict(model.named_modules())
    batch = x.repeat(len(classes), 1, 1, 1)
    with GradCAM(model=model, target_layers=[modules[n] for n in layers]) as cam:
        final = cam(input_tensor=batch, targets=[ClassifierOutputTarget(c) for c in classes])
        acts = [a.numpy() for a in cam.activations_and_grads.activations]
        grads = [g.numpy() for g in cam.activations_and_grads.gradients]
        # compute_cam_per_layer pairs target layer i with the i-th hooked activation and gradient, in call order: the
        # layers are listed in forward order, and a module called several times (ResNet's relu) only last
        raw = [np.maximum(cam.get_cam_image(batch, None, None, acts[i], grads[i]), 0) for i in range(len(layers))]
    return raw, final


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, (name, build, facts, cases) in enumerate(MODELS):
        gen = torch.Generator().manual_seed(100 + i)
        torch.manual_seed(100 + i)
        model = build()
        randomise_batchnorm(model, gen)
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
            raw, final = explain(model, x, layers, classes)
            out_cases.append({"layers": layers, "classes": classes,
                              "raw": {l: compact(torch.from_numpy(np.ascontiguousarray(r)), 7) for l, r in zip(layers, raw)},
                              "final": compact(torch.from_numpy(final), 5)})
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"generator": "tests/reference/classifiers_reference.py (PyTorch %s, pytorch-grad-cam 1.5.5 @084273b, float64)" % torch.__version__,
                       "facts": facts, "classes": n, "input": compact(x, 9), "logits": compact(logits[0], 9), "cases": out_cases}, f)
        print("wrote", name, "classes", classes, "logits", [round(v, 4) for v in logits[0].tolist()])


if __name__ == "__main__":
    main()
