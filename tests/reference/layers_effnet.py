"""PyTorch fixtures for the src/Layers blocks EfficientNet and ConvNeXt add: torchvision's LayerNorm2d (LayerNorm over
the channels of [N, C, H, W], eps 1e-6) and SqueezeExcitation with a SiLU between its convs and a Sigmoid scale
(EfficientNet's), forward in float64 and the input gradient by autograd for K = 2 output gradients.
Writes tests/fixtures/ops/effnet_blocks.json.
Run: /usr/bin/python3 tests/reference/layers_effnet.py
"""
import torch
import torch.nn.functional as F
from torchvision.models.convnext import LayerNorm2d

from fixture_io import case, rand, write

gen = torch.Generator().manual_seed(16)
cases = []

c = 5
x = rand(gen, 2, c, 3, 4, lo=-2, hi=2)
w, b = rand(gen, c, lo=0.5, hi=1.5), rand(gen, c, lo=-0.2, hi=0.2)
for t in (w, b):
    t.requires_grad_(False)
ln = LayerNorm2d(c, eps=1e-6).double()
with torch.no_grad():
    ln.weight.copy_(w)
    ln.bias.copy_(b)


def layernorm2d(x, weight, bias):
    return ln(x)


cases.append(case("layernorm2d", {"op": "layernorm2d", "eps": 1e-6}, {"x": x, "weight": w, "bias": b}, layernorm2d, gen, targets=2))

c, s = 6, 4
x = rand(gen, 1, c, 5, 7, lo=-2, hi=2)
w1, b1 = rand(gen, s, c, 1, 1), rand(gen, s)
w2, b2 = rand(gen, c, s, 1, 1, lo=-3, hi=3), rand(gen, c)
for t in (w1, b1, w2, b2):
    t.requires_grad_(False)


def se(x, fc1_weight, fc1_bias, fc2_weight, fc2_bias):
    z = F.adaptive_avg_pool2d(x, 1)
    z = torch.sigmoid(F.conv2d(F.silu(F.conv2d(z, fc1_weight, fc1_bias)), fc2_weight, fc2_bias))
    return z * x


cases.append(case("se_silu_sigmoid", {"op": "se"}, {"x": x, "fc1_weight": w1, "fc1_bias": b1, "fc2_weight": w2, "fc2_bias": b2}, se, gen, targets=2))
write("ops/effnet_blocks.json", cases)
