"""Reference for Inception v3 and GoogLeNet in src/Classifiers: torchvision 0.14's own Inception3 and GoogLeNet classes
(every block class of theirs: BasicConv2d, InceptionA-E, InceptionAux, Inception) at narrow widths, their logits, and
Grad-CAM maps computed by pytorch-grad-cam 1.5.5 itself. The shared helpers (BatchNorm randomising, explain(),
Grad-CAM element-wise and the original CAM) are imported from classifiers_reference.py.

Narrow widths: both classes hard-code their widths but build every conv through the block list they take
(`inception_blocks`, `blocks`); a BasicConv2d factory that divides every width by 16 (Inception3) or 8 (GoogLeNet)
except the image's 3 channels gives exactly torchvision's module tree, with the concatenations still consistent (all
widths are multiples). The heads that hard-code 2048/1024/768 inputs (fc, AuxLogits.fc, aux1/aux2.fc1) are replaced by
Linears of the narrow width; the aux heads are in the state dict (as in torchvision's files) but unused in eval.

transform_input=True (what torchvision.models.inception_v3/googlenet(weights=...) set, and NativeCam's default): the
maps are computed with it; "logits_no_transform" are the logits of the same weights with transform_input=False.

Inputs are not square (H != W) so that a swapped axis shows; Inception3 at 107 x 123 (Mixed_7c is 2 x 2), GoogLeNet at
100 x 90, sizes at which ceil_mode changes the size of maxpool1, maxpool2, maxpool3 and maxpool4.

Also writes bus_342_299_u8.npy: samples/bus.jpg through Inception_V3_Weights' transform up to the crop
(Resize(342) on the PIL image, PIL's antialiased bilinear, CenterCrop(299)) as the uint8 pixels [299, 299, 3] that
ToTensor/Normalize then scale exactly (a quarter of the float32 tensor's size).

Run: PYTHONPATH=/tmp/pgc /usr/bin/python3 tests/reference/classifiers_inception_reference.py
"""
import functools
import importlib
import json
import os

import numpy as np
import torch
import torch.nn as nn

# the modules (torchvision.models.googlenet the attribute is the builder function)
googlenet = importlib.import_module("torchvision.models.googlenet")
inception = importlib.import_module("torchvision.models.inception")

import classifiers_reference as ref
from classifiers_reference import OUT, compact, explain, other_methods, randomise_batchnorm


def narrow_conv(module, divisor):
    """The block list's BasicConv2d with every width but the image's 3 channels divided by `divisor`."""
    def make(cin, cout, **kw):
        return module.BasicConv2d(cin if cin == 3 else cin // divisor, cout // divisor, **kw)
    return make


def small_inception_v3(classes, transform_input):
    conv = narrow_conv(inception, 16)
    blocks = [conv] + [functools.partial(b, conv_block=conv) for b in
                       (inception.InceptionA, inception.InceptionB, inception.InceptionC, inception.InceptionD,
                        inception.InceptionE, inception.InceptionAux)]
    m = inception.Inception3(num_classes=classes, aux_logits=True, transform_input=transform_input, inception_blocks=blocks,
                             init_weights=True)
    m.fc = nn.Linear(2048 // 16, classes)
    m.AuxLogits.fc = nn.Linear(768 // 16, classes)
    return rescale_init(m)


def small_googlenet(classes, transform_input):
    conv = narrow_conv(googlenet, 8)
    blocks = [conv, functools.partial(googlenet.Inception, conv_block=conv), functools.partial(googlenet.InceptionAux, conv_block=conv)]
    m = googlenet.GoogLeNet(num_classes=classes, aux_logits=True, transform_input=transform_input, init_weights=True, blocks=blocks)
    m.fc = nn.Linear(1024 // 8, classes)
    for aux in (m.aux1, m.aux2):
        aux.fc1 = nn.Linear(128 // 8 * 16, 32)
        aux.fc2 = nn.Linear(32, classes)
    return rescale_init(m)


def rescale_init(model):
    """He-normal convs and 1/sqrt(fan-in) Linears: torchvision's truncated N(0, 0.1) / N(0, 0.01) init makes the
    narrow nets' activations vanish, leaving logits that hardly depend on the input."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.normal_(m.weight, 0, (2.0 / (m.weight[0].numel())) ** 0.5)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, m.in_features ** -0.5)
    return model


ref.CAM_HEADS.update({"inception_v3_small": "fc", "googlenet_small": "fc"})

MODELS = [
    # name, seed, builder(transform_input), input H x W, facts, cases: (layers in forward order, explained at once).
    # The seeds are ones whose Grad-CAM maps are positive at a good share of every layer (others leave whole layers
    # at zero after the ReLU, which would test little).
    ("inception_v3_small", 301, functools.partial(small_inception_v3, 7), (107, 123),
     {"family": "inception_v3", "name": "inception_v3 (custom)"},
     [["Mixed_7c"], ["maxpool2", "Mixed_5d.branch_pool.bn", "Mixed_6e.branch7x7dbl_3", "Mixed_7a", "Mixed_7b.branch3x3_2a"]]),
    ("googlenet_small", 300, functools.partial(small_googlenet, 5), (100, 90),
     {"family": "googlenet", "name": "googlenet (custom)"},
     [["inception5b"], ["maxpool1", "inception3b.branch4.0", "inception4c.branch2.1", "inception4e", "maxpool4"]]),
]


def preprocess_299():
    from PIL import Image
    from torchvision import transforms
    crop = transforms.Compose([transforms.Resize(342, interpolation=transforms.InterpolationMode.BILINEAR), transforms.CenterCrop(299)])
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    pixels = np.asarray(crop(Image.open(os.path.join(root, "samples", "bus.jpg")).convert("RGB")), dtype=np.uint8)
    np.save(os.path.join(OUT, "bus_342_299_u8.npy"), pixels)
    print("wrote bus_342_299_u8.npy", pixels.shape)


def main():
    os.makedirs(OUT, exist_ok=True)
    preprocess_299()
    for name, seed, build, (h, w), facts, cases in MODELS:
        gen = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        model = build(True)
        randomise_batchnorm(model, gen)
        model.eval()
        torch.save(model.state_dict(), os.path.join(OUT, name + ".pt"))
        model = model.double()
        plain = build(False).double().eval()
        plain.load_state_dict(model.state_dict())
        x = (torch.randn(1, 3, h, w, generator=gen) * 64).round().double() / 64  # multiples of 1/64: exact, short in JSON
        with torch.no_grad():
            logits = model(x)
            logits_plain = plain(x)
        top = int(logits.argmax())
        n = logits.shape[1]
        classes = [top, (top + 3) % n]
        out_cases = []
        for layers in cases:
            raw, final = explain(model, x, layers, classes)
            out_cases.append({"layers": layers, "classes": classes,
                              "raw": {l: compact(torch.from_numpy(np.ascontiguousarray(r)), 7) for l, r in zip(layers, raw)},
                              "final": compact(torch.from_numpy(final), 4)})  # checked to 1e-2
        methods = other_methods(name, model, x, cases[0], classes)
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"generator": "tests/reference/classifiers_inception_reference.py (PyTorch %s, pytorch-grad-cam 1.5.5 @084273b, float64)" % torch.__version__,
                       "facts": facts, "classes": n, "transform_input": True, "input": compact(x, 9), "logits": compact(logits[0], 9),
                       "logits_no_transform": compact(logits_plain[0], 9), "cases": out_cases, "methods": methods}, f)
        print("wrote", name, "classes", classes, "logits", [round(v, 4) for v in logits[0].tolist()],
              "no transform", [round(v, 4) for v in logits_plain[0].tolist()])


if __name__ == "__main__":
    main()
