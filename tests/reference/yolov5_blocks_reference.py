"""Block fixtures: two small custom YOLOv5 yamls that together use every block the C# builder supports.

  blocks-a (2 classes, 3 anchors/level, input 32x64): Focus first layer, SPP (5, 9, 13) on an 8x16 map (at
      P5's 1x2 every window would see the whole map), a GhostBottleneck with s=2 in the yaml, a repeated Conv
      row (number 2 -> nn.Sequential, paths model.4.0/model.4.1), DWConv with groups = gcd(16, 32), C3x
      (CrossConv inner blocks, n=2), GhostConv, BottleneckCSP, C3Ghost, DWConvTranspose2d with c1 != c2
      (groups = gcd(32, 24) = 8), nn.Upsample, Concat, C3, Detect.
  blocks-b (1 class, 2 anchors/level, depth 0.5, input 64x32): Conv 6x6, a repeated Bottleneck row
      (3 x 0.5 rounds to 2), CrossConv with a shortcut, C3 with n=2, SPPF, a Conv with act=False
      (nn.Identity), a GhostBottleneck with s=1 (identity shortcut).

Weights come from yolov5_synthetic_reference.synthetic (a closed form the C# test recomputes), so the
fixture holds only the yaml, tensor names/shapes, activation module classes, the expected raw Detect
outputs, and for K = 2 targets (the strongest class logit of the strongest cell on the first and on the
last level) the activations and gradients at a few inner layers, all in float64.

Run: cd tests/reference && /usr/bin/python3 yolov5_blocks_reference.py
"""
import json
import os

import torch
import torch.nn as nn

from yolov5_reference import Model
from yolov5_synthetic_reference import synthetic

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "yolo")

ANCHORS3 = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]]
ANCHORS2 = [[10, 13, 16, 30], [30, 61, 62, 45], [116, 90, 156, 198]]

BLOCKS_A = {
    "nc": 2, "depth_multiple": 1.0, "width_multiple": 0.25, "anchors": ANCHORS3, "ch": 3,
    "backbone": [[-1, 1, "Focus", [16, 3]],                    # 0  /2
                 [-1, 1, "Conv", [32, 3, 2]],                  # 1  /4
                 [-1, 1, "SPP", [32, [5, 9, 13]]],             # 2  on 8x16, where chained pools would differ
                 [-1, 1, "GhostBottleneck", [64, 3, 2]],       # 3  /8
                 [-1, 2, "Conv", [64, 3, 1]],                  # 4  nn.Sequential of 2
                 [-1, 1, "DWConv", [128, 3, 2]],               # 5  /16
                 [-1, 2, "C3x", [128]],                        # 6
                 [-1, 1, "GhostConv", [256, 3, 2]],            # 7  /32
                 [-1, 1, "BottleneckCSP", [256]],              # 8
                 [-1, 1, "C3Ghost", [256]]],                   # 9
    "head": [[-1, 1, "Conv", [128, 1, 1]],                     # 10
             [-1, 1, "DWConvTranspose2d", [96, 4, 2, 1, 0]],   # 11 learned x2 upsampling, 32 -> 24 channels
             [[-1, 6], 1, "Concat", [1]],                      # 12
             [-1, 1, "C3", [128, False]],                      # 13
             [-1, 1, "Conv", [64, 1, 1]],                      # 14
             [-1, 1, "nn.Upsample", ["None", 2, "nearest"]],   # 15
             [[-1, 4], 1, "Concat", [1]],                      # 16
             [-1, 1, "C3", [64, False]],                       # 17 P3
             [-1, 1, "Conv", [64, 3, 2]],                      # 18
             [[-1, 14], 1, "Concat", [1]],                     # 19
             [-1, 1, "C3", [128, False]],                      # 20 P4
             [-1, 1, "Conv", [128, 3, 2]],                     # 21
             [[-1, 10], 1, "Concat", [1]],                     # 22
             [-1, 1, "C3", [256, False]],                      # 23 P5
             [[17, 20, 23], 1, "Detect", ["nc", "anchors"]]],  # 24
}

BLOCKS_B = {
    "nc": 1, "depth_multiple": 0.5, "width_multiple": 0.25, "anchors": ANCHORS2, "ch": 3,
    "backbone": [[-1, 1, "Conv", [16, 6, 2, 2]],                      # 0  /2
                 [-1, 1, "Conv", [32, 3, 2]],                         # 1  /4
                 [-1, 3, "Bottleneck", [32]],                         # 2  nn.Sequential of round(1.5) = 2
                 [-1, 1, "Conv", [64, 3, 2]],                         # 3  /8
                 [-1, 1, "CrossConv", [64, 3, 1, 1, 1.0, True]],      # 4
                 [-1, 1, "Conv", [128, 3, 2]],                        # 5  /16
                 [-1, 3, "C3", [128]],                                # 6  n = 2
                 [-1, 1, "Conv", [256, 3, 2]],                        # 7  /32
                 [-1, 1, "SPPF", [256, 5]]],                          # 8
    "head": [[-1, 1, "Conv", [128, 1, 1, "None", 1, False]],          # 9  act=False: nn.Identity
             [-1, 1, "nn.Upsample", ["None", 2, "nearest"]],          # 10
             [[-1, 6], 1, "Concat", [1]],                             # 11
             [-1, 1, "C3", [128, False]],                             # 12
             [-1, 1, "GhostBottleneck", [128, 3, 1]],                 # 13 identity shortcut
             [-1, 1, "nn.Upsample", ["None", 2, "nearest"]],          # 14
             [[-1, 4], 1, "Concat", [1]],                             # 15
             [-1, 1, "C3", [64, False]],                              # 16 P3
             [-1, 1, "Conv", [64, 3, 2]],                             # 17
             [[-1, 13], 1, "Concat", [1]],                            # 18
             [-1, 1, "C3", [128, False]],                             # 19 P4
             [-1, 1, "Conv", [128, 3, 2]],                            # 20
             [[-1, 9], 1, "Concat", [1]],                             # 21
             [-1, 1, "C3", [256, False]],                             # 22 P5
             [[16, 19, 22], 1, "Detect", ["nc", "anchors"]]],         # 23
}

# Inner layers whose activations and K-target gradients are checked, by PyTorch module path.
LAYERS_A = ["model.1", "model.3.conv.1", "model.4.0", "model.6.m.1", "model.8.act", "model.9.m.0", "model.11"]
LAYERS_B = ["model.2.1", "model.4", "model.9.act", "model.13.conv.2"]


def short(v):
    """float64 written with 9 significant digits: far below the 1e-4 tolerance, half the JSON."""
    return float(f"{v:.9g}")


def array(t):
    t = t.detach().double().contiguous()
    return {"shape": list(t.shape), "data": [short(v) for v in t.reshape(-1).tolist()]}


def variant(label, cfg, hw, layers):
    model = Model(cfg).double().eval()
    tensors = []
    with torch.no_grad():
        for ordinal, (name, t) in enumerate(model.state_dict().items()):
            if name.endswith("num_batches_tracked"):
                continue
            v = synthetic(name, list(t.shape), ordinal)
            if v is not None:
                t.copy_(v)
            tensors.append({"name": name, "shape": list(t.shape), "ordinal": ordinal})
    # The activation modules a checkpoint records (class per path): SiLU, or nn.Identity where act=False.
    activations = {name: type(m).__name__ for name, m in model.named_modules()
                   if isinstance(m, (nn.SiLU, nn.Identity))}

    acts = {}
    for name in layers:
        model.get_submodule(name).register_forward_hook(lambda m, i, o, name=name: acts.__setitem__(name, o))
    n = 3 * hw[0] * hw[1]
    x = (0.5 + 0.5 * torch.sin(0.1 * torch.arange(n, dtype=torch.float64))).view(1, 3, *hw)
    outs = model(x)

    nc = cfg["nc"]
    na, no = len(cfg["anchors"][0]) // 2, nc + 5
    targets = []
    for level in (0, len(outs) - 1):
        o = outs[level].detach().view(na, no, *outs[level].shape[2:])
        a, y, xx = unravel(int(o[:, 4].argmax()), o[:, 4].shape)
        c = int(o[a, 5:, y, xx].argmax())
        targets.append({"level": level, "y": int(y), "x": int(xx), "channel": int(a) * no + 5 + c})
    grads = {name: [] for name in layers}
    for t in targets:
        score = outs[t["level"]][0, t["channel"], t["y"], t["x"]]
        g = torch.autograd.grad(score, [acts[name] for name in layers], retain_graph=True)
        for name, gi in zip(layers, g):
            grads[name].append(gi)
    return {
        "label": label, "config": cfg, "tensors": tensors, "activations": activations, "input_hw": hw,
        "outputs": [array(o) for o in outs], "targets": targets,
        "layers": [{"name": name, "value": array(acts[name]), "grad": array(torch.stack(grads[name]))}
                   for name in layers],
    }


def unravel(flat, shape):
    """A flat row-major index as one index per dimension."""
    idx = []
    for d in reversed(shape):
        flat, r = divmod(flat, d)
        idx.append(r)
    return tuple(reversed(idx))


def main():
    cases = [variant("blocks-a", BLOCKS_A, [32, 64], LAYERS_A), variant("blocks-b", BLOCKS_B, [64, 32], LAYERS_B)]
    path = os.path.join(OUT, "blocks.json")
    with open(path, "w") as f:
        json.dump({"generator": f"tests/reference/yolov5_blocks_reference.py (PyTorch {torch.__version__}, float64)",
                   "cases": cases}, f)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
