"""PyTorch fixtures for the spatial ops: conv2d, conv_transpose2d, max_pool2d, nearest upsample, cat(dim=1).

Inputs, weights and biases all require gradients, so each case checks every gradient ([K, *shape] per target).
"""
import torch
import torch.nn.functional as F

from fixture_io import case, rand, write

gen = torch.Generator().manual_seed(2)
cases = []

# name, x shape, weight shape, stride, padding, groups, bias
CONVS = [
    ("conv3x3_s1_p1", (2, 3, 7, 5), (3, 3, 3, 3), (1, 1), (1, 1), 1, True),
    ("conv1x1", (1, 6, 5, 3), (5, 6, 1, 1), (1, 1), (0, 0), 1, True),
    ("conv1x3", (1, 3, 6, 7), (4, 3, 1, 3), (1, 1), (0, 1), 1, False),
    ("conv3x1", (2, 2, 7, 5), (3, 2, 3, 1), (1, 1), (1, 0), 1, True),
    ("conv3x3_s2_p1", (1, 3, 9, 7), (5, 3, 3, 3), (2, 2), (1, 1), 1, True),
    ("conv6x6_s2_p2", (1, 2, 9, 8), (3, 2, 6, 6), (2, 2), (2, 2), 1, False),
    ("conv_groups2", (1, 4, 6, 5), (6, 2, 3, 3), (1, 1), (1, 1), 2, True),
    ("conv_depthwise", (2, 3, 7, 5), (3, 1, 3, 3), (1, 1), (1, 1), 3, False),
    ("conv_depthwise_mult2_s2", (1, 3, 6, 6), (6, 1, 3, 3), (2, 2), (1, 1), 3, True),
    ("conv_nonsquare_stride", (1, 2, 7, 9), (3, 2, 2, 3), (2, 1), (0, 1), 1, True),
]
for name, xs, ws, stride, padding, groups, has_bias in CONVS:
    inputs = {"x": rand(gen, *xs), "w": rand(gen, *ws)}
    if has_bias:
        inputs["b"] = rand(gen, ws[0])
    params = {"op": "conv2d", "stride": list(stride), "padding": list(padding), "groups": groups}
    fn = lambda x, w, b=None, s=stride, p=padding, g=groups: F.conv2d(x, w, b, s, p, 1, g)
    cases.append(case(name, params, inputs, fn, gen, targets=2))

# name, x shape, weight shape [Cin, Cout/groups, kh, kw], stride, padding, output padding, groups, bias
CONV_TRANSPOSES = [
    ("convT_s2", (1, 4, 3, 4), (4, 3, 2, 2), (2, 2), (0, 0), (0, 0), 1, True),
    ("convT_s2_p1_op1_groups2", (2, 4, 3, 3), (4, 2, 3, 3), (2, 2), (1, 1), (1, 1), 2, True),
    ("convT_s1_p1", (1, 3, 5, 4), (3, 2, 3, 3), (1, 1), (1, 1), (0, 0), 1, False),
    ("convT_nonsquare_s3x2", (1, 2, 3, 4), (2, 3, 3, 2), (3, 2), (1, 0), (2, 1), 1, True),
]
for name, xs, ws, stride, padding, out_pad, groups, has_bias in CONV_TRANSPOSES:
    inputs = {"x": rand(gen, *xs), "w": rand(gen, *ws)}
    if has_bias:
        inputs["b"] = rand(gen, ws[1] * groups)
    params = {"op": "conv_transpose2d", "stride": list(stride), "padding": list(padding),
              "output_padding": list(out_pad), "groups": groups}
    fn = lambda x, w, b=None, s=stride, p=padding, op=out_pad, g=groups: F.conv_transpose2d(x, w, b, s, p, op, g)
    cases.append(case(name, params, inputs, fn, gen, targets=2))

# YOLOv5: SPPF k5 s1 p2, SPP k9/k13 s1 p=k/2; classic k2 s2 and k3 s2 p1, on odd sizes.
for name, xs, k, s, p in [("maxpool_k5_s1_p2", (2, 2, 7, 5), 5, 1, 2), ("maxpool_k2_s2", (1, 2, 7, 9), 2, 2, 0),
                          ("maxpool_k3_s2_p1", (1, 3, 9, 7), 3, 2, 1), ("maxpool_k9_s1_p4", (1, 1, 9, 11), 9, 1, 4),
                          ("maxpool_k13_s1_p6", (1, 1, 13, 10), 13, 1, 6)]:
    params = {"op": "maxpool2d", "kernel": k, "stride": s, "padding": p}
    fn = lambda x, k=k, s=s, p=p: F.max_pool2d(x, k, s, p)
    cases.append(case(name, params, {"x": rand(gen, *xs)}, fn, gen, targets=2))

for name, xs, scale in [("upsample_x2", (2, 2, 3, 5), 2), ("upsample_x3", (1, 2, 2, 3), 3)]:
    fn = lambda x, scale=scale: F.interpolate(x, scale_factor=scale, mode="nearest")
    cases.append(case(name, {"op": "upsample", "scale": scale}, {"x": rand(gen, *xs)}, fn, gen, targets=2))

inputs = {"a": rand(gen, 2, 2, 3, 3), "b": rand(gen, 2, 3, 3, 3), "c": rand(gen, 2, 1, 3, 3)}
cases.append(case("concat3", {"op": "concat"}, inputs, lambda a, b, c: torch.cat([a, b, c], 1), gen, targets=3))

# ceil_mode=True (GoogLeNet's pools, SqueezeNet's): drawn last so the cases above keep their values.
for name, xs, k, s, p in [("maxpool_ceil_k3_s2", (1, 2, 8, 10), 3, 2, 0), ("maxpool_ceil_k2_s2", (1, 3, 7, 9), 2, 2, 0),
                          ("maxpool_ceil_k3_s2_p1", (1, 2, 8, 9), 3, 2, 1), ("maxpool_ceil_k3_s1_p1", (2, 2, 6, 5), 3, 1, 1),
                          ("maxpool_ceil_k2_s2_p1_drop", (1, 2, 8, 5), 2, 2, 1)]:
    params = {"op": "maxpool2d", "kernel": k, "stride": s, "padding": p, "ceil_mode": True}
    fn = lambda x, k=k, s=s, p=p: F.max_pool2d(x, k, s, p, ceil_mode=True)
    cases.append(case(name, params, {"x": rand(gen, *xs)}, fn, gen, targets=2))

# ceil_mode on inputs smaller than the kernel (one clipped window, as GoogLeNet's maxpool4 on a 1-pixel map).
for name, xs, k, s, p in [("maxpool_ceil_k2_s2_one_row", (1, 2, 1, 5), 2, 2, 0), ("maxpool_ceil_k3_s2_two_rows", (1, 2, 2, 5), 3, 2, 0)]:
    params = {"op": "maxpool2d", "kernel": k, "stride": s, "padding": p, "ceil_mode": True}
    fn = lambda x, k=k, s=s, p=p: F.max_pool2d(x, k, s, p, ceil_mode=True)
    cases.append(case(name, params, {"x": rand(gen, *xs)}, fn, gen, targets=2))

write("ops/spatial.json", cases)
