"""A small YOLO11 checkpoint saved as Ultralytics training saves it, its expected detections and raw Grad-CAM maps,
and YOLO11's blocks (C3k2 with and without C3k, C2PSA) as float64 module fixtures.

As tests/reference/yolov8_reference.py (same imports from ULTRALYTICS, same calibration and save format), with
yolo11.yaml at an extra scale 't' (depth 0.50, width 0.125: C2PSA keeps 128 channels, one attention head) and the
8.3 parse_model rules (C3k2 makes Detect non-legacy: depth-wise convs in the class branch). Writes
tests/fixtures/yolo11/.

Run: ULTRALYTICS=/path/containing/ultralytics /usr/bin/python3 tests/reference/yolo11_reference.py
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import yolov8_reference as v8  # noqa: E402
from ultralytics.nn.modules.block import C2PSA, C3k2  # noqa: E402
from ultralytics.nn.tasks import DetectionModel  # noqa: E402

OUT = os.path.join(HERE, "..", "fixtures", "yolo11")
COCO = v8.COCO


def yolo11_yaml(nc):
    return {
        "nc": nc,
        "scales": {"n": [0.50, 0.25, 1024], "s": [0.50, 0.50, 1024], "m": [0.50, 1.00, 512],
                   "l": [1.00, 1.00, 512], "x": [1.00, 1.50, 512], "t": [0.50, 0.125, 1024]},
        "scale": "t",
        "backbone": [[-1, 1, "Conv", [64, 3, 2]], [-1, 1, "Conv", [128, 3, 2]], [-1, 2, "C3k2", [256, False, 0.25]],
                     [-1, 1, "Conv", [256, 3, 2]], [-1, 2, "C3k2", [512, False, 0.25]], [-1, 1, "Conv", [512, 3, 2]],
                     [-1, 2, "C3k2", [512, True]], [-1, 1, "Conv", [1024, 3, 2]], [-1, 2, "C3k2", [1024, True]],
                     [-1, 1, "SPPF", [1024, 5]], [-1, 2, "C2PSA", [1024]]],
        "head": [[-1, 1, "nn.Upsample", [None, 2, "nearest"]], [[-1, 6], 1, "Concat", [1]], [-1, 2, "C3k2", [512, False]],
                 [-1, 1, "nn.Upsample", [None, 2, "nearest"]], [[-1, 4], 1, "Concat", [1]], [-1, 2, "C3k2", [256, False]],
                 [-1, 1, "Conv", [256, 3, 2]], [[-1, 13], 1, "Concat", [1]], [-1, 2, "C3k2", [512, False]],
                 [-1, 1, "Conv", [512, 3, 2]], [[-1, 10], 1, "Concat", [1]], [-1, 2, "C3k2", [1024, True]],
                 [[16, 19, 22], 1, "Detect", ["nc"]]],
        "yaml_file": "yolo11t.yaml", "ch": 3,
    }


def block_case(name, m, c1, seed):
    g = torch.Generator().manual_seed(seed)
    m = m.double()
    for k, v in m.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        r = torch.rand(v.shape, generator=g, dtype=torch.float64)
        v.copy_(r * 0.5 + 0.5 if k.endswith("running_var") or k.endswith("bn.weight") else r - 0.5)
        v.copy_(v.float().double())
    for bn in (x for x in m.modules() if isinstance(x, torch.nn.BatchNorm2d)):
        bn.eps = 1e-3
    m.eval()
    x = (torch.rand(1, c1, 4, 5, generator=g, dtype=torch.float64) * 2 - 1).float().double().requires_grad_(True)
    assert torch.autograd.gradcheck(m, (x,), eps=1e-6, atol=1e-6)
    y = m(x)
    gy = (torch.rand(y.shape, generator=g, dtype=torch.float64) * 2 - 1).float().double()
    (gx,) = torch.autograd.grad(y, x, gy)
    return {"name": name, "tensors": {k: v8.arr(v) for k, v in m.state_dict().items() if not k.endswith("num_batches_tracked")},
            "x": v8.arr(x), "gy": v8.arr(gy), "y": v8.arr(y), "gx": v8.arr(gx)}


def main():
    os.makedirs(OUT, exist_ok=True)
    files = ["bus.jpg", "zidane.jpg"]
    images = [v8.load(os.path.join(v8.ROOT, "samples", f)) for f in files]
    model = v8.build(images, yaml=yolo11_yaml(len(COCO)))
    m = DetectionModel(yolo11_yaml(len(COCO)))
    m.load_state_dict(model.state_dict())
    ckpt = v8.training_save(m, COCO, "yolo11t.yaml", "8.3.0")
    torch.save(ckpt, os.path.join(OUT, "yolo11t.pt"))
    results = {f: v8.detect(model, im0, x, COCO) for f, (im0, x) in zip(files, images)}
    for f in files:
        print(f, [(d["name"], round(d["conf"], 3)) for d in results[f]["detections"]])
    with open(os.path.join(OUT, "detections.json"), "w") as fh:
        json.dump({"generator": f"tests/reference/yolo11_reference.py (PyTorch {torch.__version__})",
                   "conf": 0.25, "iou": 0.7, "images": results}, fh, indent=1)
    with open(os.path.join(OUT, "gradcam_bus.json"), "w") as fh:
        json.dump(v8.gradcam(model, images[0][1], results["bus.jpg"]["detections"][:4]), fh)
    torch.manual_seed(3)
    blocks = [block_case("c3k2", C3k2(6, 8, 2, False, 0.5), 6, 1), block_case("c3k2-c3k", C3k2(8, 8, 1, True, 0.5), 8, 2),
              block_case("c2psa", C2PSA(64, 64, 1, 1.0), 64, 3)]
    with open(os.path.join(OUT, "modules.json"), "w") as fh:
        json.dump({"generator": "tests/reference/yolo11_reference.py", "blocks": blocks}, fh)


if __name__ == "__main__":
    main()
