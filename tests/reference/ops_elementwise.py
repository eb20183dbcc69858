"""PyTorch fixtures for the pointwise ops: activations and broadcast add/mul."""
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

write("ops/elementwise.json", cases)
