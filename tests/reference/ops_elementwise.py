"""PyTorch fixtures for the pointwise ops: every activation (at random points and at the kinks) and broadcast add/mul."""
import torch
import torch.nn.functional as F

from fixture_io import case, rand, write

gen = torch.Generator().manual_seed(1)
cases = []
for op, fn in [("relu", lambda x: F.relu(x)), ("silu", lambda x: F.silu(x)), ("sigmoid", lambda x: torch.sigmoid(x)),
               ("gelu", lambda x: F.gelu(x)), ("scale", lambda x: x * 0.75)]:
    x = rand(gen, 2, 3, 5, 7, lo=-4, hi=4)
    cases.append(case(op, {"op": op}, {"x": x}, fn, gen, targets=2))

# Broadcasts: same shape, per-channel vector over NCHW, position embedding over a batch.
for name, a_shape, b_shape in [("same", (2, 3, 4, 5), (2, 3, 4, 5)),
                               ("channel", (2, 3, 4, 5), (1, 3, 1, 1)),
                               ("leading", (2, 6, 8), (1, 6, 8)),
                               ("lastdim", (2, 6, 8), (8,))]:
    for op in ["add", "mul"]:
        a, b = rand(gen, *a_shape), rand(gen, *b_shape)
        fn = (lambda a, b: a + b) if op == "add" else (lambda a, b: a * b)
        cases.append(case(f"{op}_{name}", {"op": op}, {"a": a, "b": b}, fn, gen, targets=3))

# Added last (so the cases above keep their random draws and fixtures): the activations of
# MobileNet v2/v3 and Tanh, over a range that reaches every kink, then exactly at the kinks, where PyTorch's backward
# picks a side (ReLU6 and Hardsigmoid: 0 at the ends; Hardswish: x/3 + 1/2 at ±3).
more = [("tanh", lambda x: torch.tanh(x)), ("relu6", lambda x: F.relu6(x)),
        ("hardsigmoid", lambda x: F.hardsigmoid(x)), ("hardswish", lambda x: F.hardswish(x))]
for op, fn in more:
    x = rand(gen, 2, 3, 5, 7, lo=-8, hi=8)
    cases.append(case(op, {"op": op}, {"x": x}, fn, gen, targets=2))
kinks = [-7.0, -6.0, -3.0, -1.5, -1e-3, 0.0, 1e-3, 1.5, 3.0, 5.999, 6.0, 6.001, 7.0]
for op, fn in [("relu", lambda x: F.relu(x))] + more:
    x = torch.tensor(kinks, dtype=torch.float64, requires_grad=True)
    cases.append(case(f"{op}_kinks", {"op": op}, {"x": x}, fn, gen, targets=1))

write("ops/elementwise.json", cases)
