"""Architecture fixtures: YOLOv5 variants with synthetic weights, so no large checkpoint is committed.

Every tensor's values come from a closed-form formula (see `synthetic`) that the C# test computes too;
the fixture holds the yaml, the tensor names and shapes, a fixed input and the expected raw Detect
outputs (float64). Variants: yolov5s widths (width 0.50) with 80 classes, and a 3-class yolov5n.

Run: cd tests/reference && /usr/bin/python3 yolov5_synthetic_reference.py
"""
import json
import math
import os

import torch

from yolov5_reference import Model

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "yolo")

BASE = {
    "anchors": [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]],
    "backbone": [[-1, 1, "Conv", [64, 6, 2, 2]], [-1, 1, "Conv", [128, 3, 2]], [-1, 3, "C3", [128]],
                 [-1, 1, "Conv", [256, 3, 2]], [-1, 6, "C3", [256]], [-1, 1, "Conv", [512, 3, 2]],
                 [-1, 9, "C3", [512]], [-1, 1, "Conv", [1024, 3, 2]], [-1, 3, "C3", [1024]],
                 [-1, 1, "SPPF", [1024, 5]]],
    "head": [[-1, 1, "Conv", [512, 1, 1]], [-1, 1, "nn.Upsample", ["None", 2, "nearest"]],
             [[-1, 6], 1, "Concat", [1]], [-1, 3, "C3", [512, False]], [-1, 1, "Conv", [256, 1, 1]],
             [-1, 1, "nn.Upsample", ["None", 2, "nearest"]], [[-1, 4], 1, "Concat", [1]],
             [-1, 3, "C3", [256, False]], [-1, 1, "Conv", [256, 3, 2]], [[-1, 14], 1, "Concat", [1]],
             [-1, 3, "C3", [512, False]], [-1, 1, "Conv", [512, 3, 2]], [[-1, 10], 1, "Concat", [1]],
             [-1, 3, "C3", [1024, False]], [[17, 20, 23], 1, "Detect", ["nc", "anchors"]]],
    "ch": 3,
}


def synthetic(name, shape, ordinal):
    """Deterministic values: sin waves whose scale keeps activations O(1) through the network."""
    n = math.prod(shape)
    i = torch.arange(n, dtype=torch.float64)
    wave = torch.sin(0.37 * i + 1.3 * ordinal)
    if name.endswith("running_var"):
        v = 1.0 + 0.5 * wave.abs()
    elif name.endswith("running_mean"):
        v = 0.05 * wave
    elif name.endswith("bn.weight"):
        v = 1.0 + 0.1 * wave
    elif name.endswith("bias"):
        v = 0.05 * wave
    elif name.endswith("anchors"):
        return None
    else:  # conv weights: uniform-like in ±sqrt(3 / fan_in)
        fan_in = n // shape[0]
        v = wave * math.sqrt(3.0 / fan_in)
    return v.view(shape)


def variant(label, nc, depth, width, hw):
    cfg = dict(BASE, nc=nc, depth_multiple=depth, width_multiple=width)
    model = Model(cfg).double().eval()
    state = model.state_dict()
    tensors = []
    with torch.no_grad():
        for ordinal, (name, t) in enumerate(state.items()):
            if name.endswith("num_batches_tracked"):
                continue
            v = synthetic(name, list(t.shape), ordinal)
            if v is not None:
                t.copy_(v)
            tensors.append({"name": name, "shape": list(t.shape), "ordinal": ordinal})
    n = 3 * hw[0] * hw[1]
    x = (0.5 + 0.5 * torch.sin(0.1 * torch.arange(n, dtype=torch.float64))).view(1, 3, *hw)
    outs = model(x)
    return {
        "label": label, "config": cfg, "tensors": tensors, "input_hw": hw,
        "outputs": [{"shape": list(o.shape), "data": [float(v) for v in o.reshape(-1).tolist()]} for o in outs],
    }


def main():
    cases = [variant("yolov5s-widths", 80, 0.33, 0.50, [32, 64]), variant("yolov5n-3-classes", 3, 0.33, 0.25, [64, 32])]
    path = os.path.join(OUT, "synthetic.json")
    with open(path, "w") as f:
        json.dump({"generator": f"tests/reference/yolov5_synthetic_reference.py (PyTorch {torch.__version__}, float64)",
                   "cases": cases}, f)
    print("wrote", os.path.relpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
