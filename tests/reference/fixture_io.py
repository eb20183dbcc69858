"""Shared helpers of the PyTorch reference scripts: seeded float32-exact inputs and the JSON fixture format.

Every script computes expected values in float64 with PyTorch autograd and writes
tests/fixtures/<name>.json: {"cases": [{"name", "params", "inputs", "output_grad", "outputs", "grads"}]},
each array as {"shape": [...], "data": [row-major floats]}. Run with Debian's /usr/bin/python3.
"""
import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")


def rand(gen, *shape, lo=-1.0, hi=1.0):
    """Uniform values rounded to float32 (so C# sees exactly the same inputs), as float64 leaves."""
    x = torch.rand(*shape, generator=gen, dtype=torch.float64) * (hi - lo) + lo
    return x.float().double().requires_grad_(True)


def array(t):
    t = t.detach().double().contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def case(name, params, inputs, fn, gen, targets=1):
    """Runs fn(**inputs) in float64 and backward with `targets` random output gradients (one sweep each).

    The expected gradient of each input has shape [K, *input.shape]: one vector-Jacobian product per target.
    """
    out = fn(**inputs)
    gy = torch.rand(targets, *out.shape, generator=gen, dtype=torch.float64).float().double() * 2 - 1
    grads = {k: [] for k, v in inputs.items() if v.requires_grad}
    for k in range(targets):
        g = torch.autograd.grad(out, [inputs[n] for n in grads], gy[k], retain_graph=True, allow_unused=True)
        for n, gi in zip(grads, g):
            grads[n].append(torch.zeros_like(inputs[n]) if gi is None else gi)
    return {
        "name": name,
        "params": params,
        "inputs": {k: array(v) for k, v in inputs.items()},
        "output_grad": array(gy),
        "outputs": {"y": array(out)},
        "grads": {k: array(torch.stack(v)) for k, v in grads.items()},
    }


def write(name, cases):
    os.makedirs(os.path.dirname(os.path.join(FIXTURES, name)), exist_ok=True)
    path = os.path.join(FIXTURES, name)
    with open(path, "w") as f:
        json.dump({"generator": "tests/reference (PyTorch %s, float64)" % torch.__version__, "cases": cases}, f)
    print("wrote", os.path.relpath(path), len(cases), "cases")
