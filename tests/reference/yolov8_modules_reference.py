"""Ultralytics' C2f (with and without shortcut), DFL + dist2bbox decoding, as fixtures (float64).

C2f: the official module in float64, eval mode, seeded weights and BatchNorm statistics; input x and output
gradient gy; expected output and input gradient by autograd, the gradient itself checked against finite
differences (torch.autograd.gradcheck) before it is written. Decode: a random level output
[4*16 + nc, h, w]; expected xyxy boxes of every cell in input pixels from Detect's own DFL, make_anchors and
dist2bbox (then xywh2xyxy as non_max_suppression does). Writes tests/fixtures/yolov8/modules.json.

Run: ULTRALYTICS=/path/containing/ultralytics /usr/bin/python3 tests/reference/yolov8_modules_reference.py
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.environ.get("ULTRALYTICS", "/tmp/ultra"))
from ultralytics.nn.modules.block import C2f, DFL  # noqa: E402
from ultralytics.utils.ops import xywh2xyxy  # noqa: E402
from ultralytics.utils.tal import dist2bbox, make_anchors  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "yolov8", "modules.json")


def arr(t):
    t = t.detach().double().contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def c2f_case(name, c1, c2, n, shortcut, seed):
    g = torch.Generator().manual_seed(seed)
    m = C2f(c1, c2, n, shortcut).double()
    for k, v in m.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        r = torch.rand(v.shape, generator=g, dtype=torch.float64)
        v.copy_(r * 0.5 + 0.5 if k.endswith("running_var") or k.endswith("bn.weight") else r - 0.5)
        v.copy_(v.float().double())  # values C# holds exactly
    for bn in (x for x in m.modules() if isinstance(x, torch.nn.BatchNorm2d)):
        bn.eps = 1e-3
    m.eval()
    x = (torch.rand(1, c1, 5, 7, generator=g, dtype=torch.float64) * 2 - 1).float().double().requires_grad_(True)
    assert torch.autograd.gradcheck(m, (x,), eps=1e-6, atol=1e-6)
    y = m(x)
    gy = (torch.rand(y.shape, generator=g, dtype=torch.float64) * 2 - 1).float().double()
    (gx,) = torch.autograd.grad(y, x, gy)
    return {"name": name, "c1": c1, "c2": c2, "n": n, "shortcut": shortcut,
            "tensors": {k: arr(v) for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")},
            "x": arr(x), "gy": arr(gy), "y": arr(y), "gx": arr(gx)}


def decode_case(nc=3, h=4, w=6, stride=16.0):
    g = torch.Generator().manual_seed(7)
    level = (torch.rand(1, 64 + nc, h, w, generator=g, dtype=torch.float64) * 8 - 4).float().double()
    anchors, strides = (a.transpose(0, 1) for a in make_anchors([level], torch.tensor([stride], dtype=torch.float64), 0.5))
    box = level.view(1, 64 + nc, -1)[:, :64]
    dfl = DFL(16).double()
    xywh = dist2bbox(dfl(box), anchors.unsqueeze(0), xywh=True, dim=1) * strides
    xyxy = xywh2xyxy(xywh[0].transpose(0, 1))
    return {"nc": nc, "stride": stride, "level": arr(level), "boxes": arr(xyxy)}


def main():
    cases = [c2f_case("c2f-shortcut", 6, 8, 2, True, 1), c2f_case("c2f-plain", 8, 4, 1, False, 2)]
    with open(OUT, "w") as f:
        json.dump({"generator": f"tests/reference/yolov8_modules_reference.py (PyTorch {torch.__version__})",
                   "c2f": cases, "decode": decode_case()}, f)


if __name__ == "__main__":
    main()
