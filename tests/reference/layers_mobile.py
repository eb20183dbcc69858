"""PyTorch fixtures for the mobile building blocks of src/Layers: nn.Hardswish, nn.Hardsigmoid and torchvision's
SqueezeExcitation (Hardsigmoid or Sigmoid scale), forward in float64 and the input gradient by autograd for K = 2
output gradients. Inputs stay 1e-3 away from the kinks at ±3. Writes tests/fixtures/ops/mobile_blocks.json.
Run: /usr/bin/python3 tests/reference/layers_mobile.py
"""
import torch
import torch.nn.functional as F

from fixture_io import case, rand, write

gen = torch.Generator().manual_seed(15)


def away_from_kinks(x):
    with torch.no_grad():
        for k in (-3.0, 3.0):
            near = (x - k).abs() < 1e-3
            x[near] += 2e-3
    return x


cases = []
for op, fn in [("hardswish", F.hardswish), ("hardsigmoid", F.hardsigmoid)]:
    x = away_from_kinks(rand(gen, 2, 3, 7, 9, lo=-6, hi=6))
    cases.append(case(op, {"op": op}, {"x": x}, lambda x, fn=fn: fn(x), gen, targets=2))

for scale in ["hardsigmoid", "sigmoid"]:
    c, s = 6, 4
    x = rand(gen, 1, c, 5, 7, lo=-2, hi=2)
    w1, b1 = rand(gen, s, c, 1, 1), rand(gen, s)
    w2, b2 = rand(gen, c, s, 1, 1, lo=-3, hi=3), rand(gen, c)
    for t in (w1, b1, w2, b2):
        t.requires_grad_(False)
    act = F.hardsigmoid if scale == "hardsigmoid" else torch.sigmoid

    def se(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias, act=act):
        z = F.adaptive_avg_pool2d(x, 1)
        z = act(F.conv2d(F.relu(F.conv2d(z, fc1_weight, fc1_bias)), fc2_weight, fc2_bias))
        return z * x

    cases.append(case("se_" + scale, {"op": "se", "scale": scale},
                      {"x": x, "fc1_weight": w1, "fc1_bias": b1, "fc2_weight": w2, "fc2_bias": b2}, se, gen, targets=2))

write("ops/mobile_blocks.json", cases)
