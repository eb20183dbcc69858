"""Reference for src/Classifiers and src/Cam.Classifiers: real torchvision 0.14 classifier classes at small widths,
their logits, and Grad-CAM maps computed by pytorch-grad-cam 1.5.5 itself.

pytorch-grad-cam is not vendored: fetch jacobgil/pytorch-grad-cam, `git archive 084273b pytorch_grad_cam` into a
folder outside the repository and put it on PYTHONPATH (it imports cv2, scipy, matplotlib, ttach; Debian's
python3-opencv, python3-scipy, python3-matplotlib; ttach is only used for test-time augmentation, which is not
called here).

Writes tests/fixtures/classifiers/:
  <name>.pt         the state dict (torch.save, zip format), float32
  <name>.json       architecture facts, classes, the input [1, 3, 64, 64], logits, "methods" (Grad-CAM element-wise and,
                    for a GAP -> Linear head, the original CAM at the first case's layers), and per case (a list of layers
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
import importlib
import sys

from torchvision.models import densenet, mobilenetv2, mobilenetv3, resnet, shufflenetv2, squeezenet, vgg

from fixture_io import FIXTURES

alexnet = importlib.import_module("torchvision.models.alexnet")  # the module: torchvision.models.alexnet is its builder
from pytorch_grad_cam import GradCAM, GradCAMElementWise
from pytorch_grad_cam.base_cam import BaseCAM
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


def small_mobilenet_v3(arch, classes):
    setting, _ = mobilenetv3._mobilenet_v3_conf(arch, width_mult=0.1)
    m = mobilenetv3.MobileNetV3(setting, last_channel=24, num_classes=classes)
    for lin in (m.classifier[0], m.classifier[3]):  # torchvision's N(0, 0.01) init gives logits of 1e-3
        nn.init.normal_(lin.weight, 0, lin.in_features ** -0.5)
    return m


def small_alexnet(widths, hidden, classes):
    """torchvision's AlexNet module tree (features 0..12, avgpool, classifier 0..6) at narrow widths."""
    m = alexnet.AlexNet(num_classes=classes)
    w = widths
    m.features = nn.Sequential(
        nn.Conv2d(3, w[0], kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(w[0], w[1], kernel_size=5, padding=2), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(w[1], w[2], kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(w[2], w[3], kernel_size=3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(w[3], w[4], kernel_size=3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=3, stride=2))
    m.classifier = nn.Sequential(nn.Dropout(), nn.Linear(w[4] * 6 * 6, hidden), nn.ReLU(inplace=True), nn.Dropout(),
                                 nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, classes))
    return m


def small_squeezenet(version, classes):
    """torchvision's SqueezeNet module tree (its own Fire class, pools with ceil_mode=True) at narrow widths: 1.0's
    7x7 stem and pools at 2, 6, 11, or 1.1's 3x3 stem and pools at 2, 5, 8."""
    m = squeezenet.SqueezeNet(version, num_classes=classes)
    fire, pool = squeezenet.Fire, lambda: nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)
    if version == "1_0":
        m.features = nn.Sequential(nn.Conv2d(3, 12, kernel_size=7, stride=2), nn.ReLU(inplace=True), pool(),
                                   fire(12, 4, 8, 8), fire(16, 4, 8, 8), fire(16, 6, 12, 12), pool(),
                                   fire(24, 6, 12, 12), fire(24, 8, 12, 12), fire(24, 8, 16, 16), fire(32, 8, 16, 16), pool(),
                                   fire(32, 8, 16, 16))
    else:
        m.features = nn.Sequential(nn.Conv2d(3, 8, kernel_size=3, stride=2), nn.ReLU(inplace=True), pool(),
                                   fire(8, 4, 8, 8), fire(16, 4, 8, 8), pool(),
                                   fire(16, 6, 12, 12), fire(24, 6, 12, 12), pool(),
                                   fire(24, 8, 12, 12), fire(24, 8, 16, 16), fire(32, 8, 16, 16), fire(32, 8, 16, 16))
    m.classifier[1] = nn.Conv2d(32, classes, kernel_size=1)
    with torch.no_grad():  # lift the class maps so that the ReLU before the pool clips some pixels, not whole classes
        m.classifier[1].bias.add_(0.3)
    return m


class OriginalCAM(BaseCAM):
    """Zhou et al.'s CAM through pytorch-grad-cam's BaseCAM (it has no class of its own): the channel weights of
    target k are the row of the Linear after the global average pool, map = ReLU(sum_c w_kc A_c)."""

    def __init__(self, model, target_layers, head):
        super().__init__(model, target_layers)
        self.head = head

    def get_cam_weights(self, input_tensor, target_layers, targets, activations, grads):
        return np.stack([self.head.weight[t.category].detach().numpy() for t in targets])


# The Linear right after the global average pool, for the models whose head is GAP -> Linear (original CAM)
CAM_HEADS = {"resnet_basic": "fc", "resnext_bottleneck": "fc", "densenet_small": "classifier", "mobilenet_v2_025": "classifier.1",
             "shufflenet_small": "fc"}

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
    ("mobilenet_v3_small", lambda: small_mobilenet_v3("mobilenet_v3_small", 5),
     {"family": "mobilenet_v3", "name": "mobilenet_v3_small"},
     [["features.12"], ["features.1.block.0", "features.4", "features.9.block.2", "features.11.block.1"]]),
    ("mobilenet_v3_large", lambda: small_mobilenet_v3("mobilenet_v3_large", 6),
     {"family": "mobilenet_v3", "name": "mobilenet_v3_large"},
     [["features.16"], ["features.2.block.0.1", "features.5.block.2", "features.13"]]),
    ("shufflenet_small", lambda: shufflenetv2.ShuffleNetV2([2, 3, 2], [8, 16, 32, 48, 64], num_classes=6),
     {"family": "shufflenet_v2", "layers": [2, 3, 2]}, [["conv5"], ["stage2.0", "stage3.1.branch2", "stage4.1"]]),
    ("squeezenet1_0_small", lambda: small_squeezenet("1_0", 5), {"family": "squeezenet"},
     [["features.12"], ["features.4.squeeze", "features.6", "features.10.expand1x1_activation", "classifier.1"]]),
    ("squeezenet1_1_small", lambda: small_squeezenet("1_1", 6), {"family": "squeezenet"},
     [["features.12"], ["features.3", "features.8", "features.11.expand3x3"]]),
    ("alexnet_small", lambda: small_alexnet([8, 16, 16, 12, 12], 24, 5), {"family": "alexnet"},
     [["features.12"], ["features.3", "features.7", "features.10"]]),
]

# Input side per model where 64 is too small or misses a case: AlexNet's features end 2x2 at 96 (the adaptive pool to
# 6x6 then repeats cells); SqueezeNet 1.1 at 72 has a pool (8 -> 4) where ceil_mode adds a row and column.
SIZES = {"alexnet_small": 96, "squeezenet1_1_small": 72}

# torchvision's own builders whose key -> shape layout must be inferred as their names (only the layouts are written)
LAYOUTS = {"squeezenet1_0": lambda: squeezenet.squeezenet1_0(), "squeezenet1_1": lambda: squeezenet.squeezenet1_1(),
           "alexnet": lambda: alexnet.alexnet()}


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


def other_methods(name, model, x, layers, classes):
    """Grad-CAM element-wise (pytorch-grad-cam's GradCAMElementWise) and, for a GAP -> Linear head, the original CAM:
    raw ReLU'd maps per layer [K, h, w] (the final aggregation is the one explain() checks for Grad-CAM)."""
    modules = dict(model.named_modules())
    batch = x.repeat(len(classes), 1, 1, 1)
    targets = [ClassifierOutputTarget(c) for c in classes]
    out = {}
    makers = {"gradcam-elementwise": lambda t: GradCAMElementWise(model=model, target_layers=t)}
    if name in CAM_HEADS:
        makers["cam"] = lambda t: OriginalCAM(model, t, modules[CAM_HEADS[name]])
    for method, make in makers.items():
        with make([modules[n] for n in layers]) as cam:
            cam(input_tensor=batch, targets=targets)
            acts = [a.numpy() for a in cam.activations_and_grads.activations]
            grads = [g.numpy() for g in cam.activations_and_grads.gradients]
            raw = [np.maximum(cam.get_cam_image(batch, None, targets, acts[i], grads[i], False), 0) for i in range(len(layers))]
        out[method] = {"layers": layers, "classes": classes,
                       "raw": {l: compact(torch.from_numpy(np.ascontiguousarray(r)), 7) for l, r in zip(layers, raw)}}
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    only = set(sys.argv[1:])
    for i, (name, build, facts, cases) in enumerate(MODELS):
        if only and name not in only:
            continue
        gen = torch.Generator().manual_seed(100 + i)
        torch.manual_seed(100 + i)
        model = build()
        randomise_batchnorm(model, gen)
        model.eval()
        torch.save(model.state_dict(), os.path.join(OUT, name + ".pt"))
        model = model.double()
        size = SIZES.get(name, SIZE)
        x = torch.randn(1, 3, size, size, generator=gen).float().double()
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
        methods = other_methods(name, model, x, cases[0], classes)
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"generator": "tests/reference/classifiers_reference.py (PyTorch %s, pytorch-grad-cam 1.5.5 @084273b, float64)" % torch.__version__,
                       "facts": facts, "classes": n, "input": compact(x, 9), "logits": compact(logits[0], 9), "cases": out_cases,
                       "methods": methods}, f)
        print("wrote", name, "classes", classes, "logits", [round(v, 4) for v in logits[0].tolist()])


def write_layouts():
    """layouts.json: key -> shape of torchvision's full-size builders (no weights), for the name-inference test."""
    path = os.path.join(OUT, "layouts.json")
    layouts = json.load(open(path)) if os.path.exists(path) else {}
    for name, build in LAYOUTS.items():
        layouts[name] = {k: list(v.shape) for k, v in build().state_dict().items()}
    with open(path, "w") as f:
        json.dump(layouts, f, separators=(",", ":"))


if __name__ == "__main__":
    write_layouts()
    main()
