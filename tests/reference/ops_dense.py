"""PyTorch fixtures for the dense/transformer ops: matmul, linear, softmax, layernorm, reductions, permute, narrow."""
import torch
import torch.nn.functional as F

from fixture_io import case, rand, write

gen = torch.Generator().manual_seed(2)
cases = []

# Matmul: odd sizes, batched, a weight shared by a batch, a 2-D left operand, transposed operands.
# Operands flagged ta/tb are stored transposed (as the C# test passes them) and transposed back here.
for name, a_shape, b_shape, ta, tb, k in [
        ("matmul_2d", (7, 5), (5, 3), False, False, 2),
        ("matmul_batched", (3, 4, 6), (3, 6, 5), False, False, 3),
        ("matmul_weight_broadcast", (2, 3, 4), (4, 5), False, False, 2),
        ("matmul_left_2d", (4, 6), (3, 6, 5), False, False, 2),
        ("matmul_transposed", (3, 6, 4), (3, 5, 6), True, True, 2),
        ("matmul_transposed_a_weight", (2, 6, 4), (6, 5), True, False, 3),
        ("matmul_4d_transposed_b", (2, 2, 3, 4), (2, 2, 5, 4), False, True, 2)]:
    a, b = rand(gen, *a_shape), rand(gen, *b_shape)
    fn = lambda a, b, ta=ta, tb=tb: (a.transpose(-1, -2) if ta else a) @ (b.transpose(-1, -2) if tb else b)
    cases.append(case(name, {"op": "matmul", "ta": ta, "tb": tb}, {"a": a, "b": b}, fn, gen, targets=k))

x, w, bias = rand(gen, 2, 3, 6), rand(gen, 4, 6), rand(gen, 4)
cases.append(case("linear_bias", {"op": "linear"}, {"x": x, "weight": w, "bias": bias},
                  lambda x, weight, bias: F.linear(x, weight, bias), gen, targets=3))

# Softmax: ordinary rows, large-magnitude rows (naive exp would overflow float32), rows far from zero.
for name, shape, lo, hi in [("softmax", (3, 4, 7), -3, 3), ("softmax_large", (4, 9), -80, 80),
                            ("softmax_offset", (2, 3, 5), 995, 1000)]:
    cases.append(case(name, {"op": "softmax"}, {"x": rand(gen, *shape, lo=lo, hi=hi)},
                      lambda x: torch.softmax(x, -1), gen, targets=2))

for name, shape, eps in [("layernorm_eps1e-6", (2, 5, 8), 1e-6), ("layernorm_eps1e-5", (3, 7), 1e-5)]:
    c = shape[-1]
    x, g, b = rand(gen, *shape, lo=-2, hi=3), rand(gen, c, lo=0.5, hi=1.5), rand(gen, c)
    cases.append(case(name, {"op": "layernorm", "eps": eps}, {"x": x, "gamma": g, "beta": b},
                      lambda x, gamma, beta, eps=eps: F.layer_norm(x, (c,), gamma, beta, eps), gen, targets=3))

for name, op, shape, axes, keep in [("sum_axis1", "sum", (2, 3, 4), [1], False),
                                    ("sum_axes_0_2", "sum", (2, 3, 4, 5), [0, 2], False),
                                    ("sum_axes_1_2_keep", "sum", (2, 3, 4, 5), [1, 2], True),
                                    ("sum_all", "sum", (3, 5), [], False),
                                    ("mean_last", "mean", (3, 4, 6), [-1], False),
                                    ("mean_axes_0_3_keep", "mean", (2, 3, 4, 5), [0, 3], True)]:
    fn = (lambda x, axes=axes, keep=keep: x.sum(dim=axes, keepdim=keep)) if op == "sum" \
        else (lambda x, axes=axes, keep=keep: x.mean(dim=axes, keepdim=keep))
    cases.append(case(name, {"op": op, "axes": axes, "keepdim": keep}, {"x": rand(gen, *shape)}, fn, gen, targets=2))

for name, shape, axis, keep in [("max_axis1", (3, 5, 4), 1, False), ("max_last_keep", (4, 6), -1, True)]:
    cases.append(case(name, {"op": "max", "axis": axis, "keepdim": keep}, {"x": rand(gen, *shape)},
                      lambda x, axis=axis, keep=keep: torch.max(x, axis, keepdim=keep).values, gen, targets=2))

for name, shape, dims in [("permute_rank4", (2, 3, 4, 5), [0, 2, 3, 1]),
                          ("permute_rank5", (2, 3, 2, 4, 3), [4, 1, 0, 3, 2]),
                          ("permute_rank3_heads", (4, 3, 5), [1, 0, 2])]:
    cases.append(case(name, {"op": "permute", "dims": dims}, {"x": rand(gen, *shape)},
                      lambda x, dims=dims: x.permute(*dims), gen, targets=2))

for name, shape, axis, start, length in [("narrow_middle", (3, 10, 4), 1, 2, 5), ("narrow_first_row", (5, 6), 0, 0, 1),
                                         ("narrow_last", (2, 3, 8), -1, 3, 4)]:
    cases.append(case(name, {"op": "narrow", "axis": axis, "start": start, "length": length}, {"x": rand(gen, *shape)},
                      lambda x, axis=axis, start=start, length=length: x.narrow(axis, start, length), gen, targets=3))

write("ops/dense.json", cases)
