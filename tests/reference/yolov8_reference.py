"""A small YOLOv8 checkpoint saved as Ultralytics training saves it, plus its expected detections.

Ultralytics is AGPL and is not vendored: point ULTRALYTICS at a directory holding its `ultralytics` package
(the official modules Conv, C2f, Bottleneck, SPPF, DFL, Concat, Detect, make_anchors, dist2bbox, parse_model,
non_max_suppression, scale_boxes). Debian lacks the package's many other dependencies, so only those files
are placed there; everything this script needs beyond them is torch, torchvision and cv2.

The network is yolov8.yaml with an extra scale 't' (depth 0.33, width 0.125) so the fp16 file stays small.
Weights: seeded init, BatchNorm statistics calibrated on samples/bus.jpg + zidane.jpg (cumulative average,
train mode), then each level's class bias shifted so a handful of anchors pass conf 0.25 (random weights
detect nothing otherwise). Saved as strip_optimizer leaves a training run's best.pt:
{'model': fp16 DetectionModel (yaml, names, args), 'ema': None, 'optimizer': None, 'train_args', ...}.

Expected detections follow predict's defaults: LetterBox(640, auto, stride 32, pad 114), BGR->RGB /255,
non_max_suppression(conf 0.25, iou 0.7, max_det 300, per class; return_idxs=True gives each detection's anchor
row, as Ultralytics 8.3 returns it), scale_boxes (rounded pad) + clip.
Also writes the raw Detect level outputs for bus.jpg (forward check).

Run: ULTRALYTICS=/path/containing/ultralytics /usr/bin/python3 tests/reference/yolov8_reference.py
"""
import json
import os
import sys

import cv2
import numpy as np
import torch

sys.path.insert(0, os.environ.get("ULTRALYTICS", "/tmp/ultra"))
from ultralytics.nn.tasks import DetectionModel  # noqa: E402
from ultralytics.utils.ops import non_max_suppression, scale_boxes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(ROOT, "tests", "fixtures", "yolov8")
sys.path.insert(0, HERE)
from yolo_io_reference import letterbox  # noqa: E402  (identical to Ultralytics' LetterBox with auto=True)

COCO = ["person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat", "traffic light"]


def yolov8_yaml(nc, scale="t"):
    return {
        "nc": nc,
        "scales": {"n": [0.33, 0.25, 1024], "s": [0.33, 0.50, 1024], "m": [0.67, 0.75, 768],
                   "l": [1.00, 1.00, 512], "x": [1.00, 1.25, 512], "t": [0.33, 0.125, 1024],
                   "u": [0.33, 0.0625, 1024]},
        "scale": scale,
        "backbone": [[-1, 1, "Conv", [64, 3, 2]], [-1, 1, "Conv", [128, 3, 2]], [-1, 3, "C2f", [128, True]],
                     [-1, 1, "Conv", [256, 3, 2]], [-1, 6, "C2f", [256, True]], [-1, 1, "Conv", [512, 3, 2]],
                     [-1, 6, "C2f", [512, True]], [-1, 1, "Conv", [1024, 3, 2]], [-1, 3, "C2f", [1024, True]],
                     [-1, 1, "SPPF", [1024, 5]]],
        "head": [[-1, 1, "nn.Upsample", [None, 2, "nearest"]], [[-1, 6], 1, "Concat", [1]], [-1, 3, "C2f", [512]],
                 [-1, 1, "nn.Upsample", [None, 2, "nearest"]], [[-1, 4], 1, "Concat", [1]], [-1, 3, "C2f", [256]],
                 [-1, 1, "Conv", [256, 3, 2]], [[-1, 12], 1, "Concat", [1]], [-1, 3, "C2f", [512]],
                 [-1, 1, "Conv", [512, 3, 2]], [[-1, 9], 1, "Concat", [1]], [-1, 3, "C2f", [1024]],
                 [[15, 18, 21], 1, "Detect", ["nc"]]],
        "yaml_file": "yolov8t.yaml", "ch": 3,
    }


def load(path):
    im0 = cv2.imread(path)
    im = letterbox(im0, (640, 640))[0]
    x = torch.from_numpy(np.ascontiguousarray(im[:, :, ::-1].transpose(2, 0, 1))).float()[None] / 255.0
    return im0, x


def arr(t):
    t = t.detach().double().contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def training_save(model, names, yaml_name, version):
    """The dict a finished training run leaves in best.pt (strip_optimizer): the fp16 model, no EMA or optimizer."""
    train_args = {"task": "detect", "mode": "train", "model": yaml_name, "data": "coco.yaml", "epochs": 1, "imgsz": 640,
                  "batch": 16, "seed": 0, "half": False, "classes": None, "lr0": 0.01, "mosaic": 1.0, "name": "train"}
    model.names, model.args = dict(enumerate(names)), dict(train_args)
    return {"epoch": -1, "best_fitness": None, "model": model.half(), "ema": None, "updates": None, "optimizer": None,
            "train_args": train_args, "train_metrics": {"metrics/mAP50(B)": 0.0}, "date": "2026-12-07T00:00:00",
            "version": version, "license": "AGPL-3.0 License (https://ultralytics.com/license)",
            "docs": "https://docs.ultralytics.com"}


def build(images, names=COCO, seed=0, scale="t", yaml=None):
    torch.manual_seed(seed)
    model = DetectionModel(yaml or yolov8_yaml(len(names), scale))
    model.names = dict(enumerate(names))
    for m in model.modules():  # calibrate BatchNorm on the samples
        if isinstance(m, torch.nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for _, x in images:
            model(x)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 0.03
    model.eval()
    detect = model.model[-1]
    with torch.no_grad():  # shift class biases so the top anchors of the samples pass conf 0.25
        detect.training = True
        levels = [model(x) for _, x in images]
        detect.training = False
        for i in range(detect.nl):
            top = torch.cat([lv[i][:, 64:].flatten() for lv in levels]).sort(descending=True).values[5]  # 6th highest
            detect.cv3[i][-1].bias.data += (-1.0 - top)
    return model.half().float().eval()  # the values the fp16 file holds


def detect(model, im0, x, names):
    with torch.no_grad():
        pred = model(x)
    dets, keep = non_max_suppression(pred[0].clone(), 0.25, 0.7, max_det=300, return_idxs=True)
    det, keep = dets[0], keep[0].view(-1)
    boxes = scale_boxes(x.shape[2:], det[:, :4].clone(), im0.shape[:2])
    out = []
    for k in range(det.shape[0]):
        cls = int(det[k, 5])
        out.append({"class": cls, "name": names[cls], "conf": float(det[k, 4]), "anchor": int(keep[k]),
                    "box": [float(v) for v in boxes[k]]})
    return {"input_hw": list(x.shape[2:]), "orig_hw": list(im0.shape[:2]), "detections": out}


def main():
    files = ["bus.jpg", "zidane.jpg"]
    images = [load(os.path.join(ROOT, "samples", f)) for f in files]
    model = build(images)
    m = DetectionModel(yolov8_yaml(len(COCO)))  # a fresh copy carrying the calibrated weights, then fp16
    m.load_state_dict(model.state_dict())
    ckpt = training_save(m, COCO, "yolov8t.yaml", "8.2.0")
    torch.save(ckpt, os.path.join(OUT, "yolov8t.pt"))

    results = {}
    for f, (im0, x) in zip(files, images):
        results[f] = detect(model, im0, x, COCO)
        print(f, [(d["name"], round(d["conf"], 3)) for d in results[f]["detections"]])
    with open(os.path.join(OUT, "detections.json"), "w") as fh:
        json.dump({"generator": f"tests/reference/yolov8_reference.py (PyTorch {torch.__version__}, cv2 {cv2.__version__})",
                   "conf": 0.25, "iou": 0.7, "images": results}, fh, indent=1)
    detect_head = model.model[-1]
    detect_head.training = True
    with torch.no_grad():
        raw = model(images[0][1])
    detect_head.training = False
    with open(os.path.join(OUT, "raw_bus.json"), "w") as fh:
        json.dump({"levels": [{"shape": list(r.shape), "data": [round(float(v), 6) for v in r.flatten()[::97].tolist()],
                               "step": 97} for r in raw]}, fh)
    with open(os.path.join(OUT, "gradcam_bus.json"), "w") as fh:
        json.dump(gradcam(model, images[0][1], results["bus.jpg"]["detections"][:4]), fh)

    # A 1-class model at scale 'u' (width 1/16: a fine-tuned layout with its own class name) saved as model.save() writes it.
    one = build(images, ["pedestrian"], seed=1, scale="u")
    m1 = DetectionModel(yolov8_yaml(1, "u"))
    m1.load_state_dict(one.state_dict())
    m1.names = {0: "pedestrian"}
    torch.save({"model": m1.half(), "date": ckpt["date"], "version": ckpt["version"], "license": ckpt["license"],
                "docs": ckpt["docs"]}, os.path.join(OUT, "yolov8t-1class.pt"))
    one_results = {f: detect(one, im0, x, ["pedestrian"]) for f, (im0, x) in zip(files, images)}
    with open(os.path.join(OUT, "detections-1class.json"), "w") as fh:
        json.dump({"generator": "tests/reference/yolov8_reference.py", "conf": 0.25, "iou": 0.7, "images": one_results}, fh, indent=1)
    for f in files:
        print("1-class", f, len(one_results[f]["detections"]))


def gradcam(model, x, detections):
    """Raw Grad-CAM (pytorch-grad-cam's formula: weights = spatial mean of the gradient, relu(sum w*A)) of each
    detection's class logit at its anchor point, at the three layers feeding Detect, with plain torch hooks."""
    detect_head = model.model[-1]
    layers = detect_head.f
    acts = {}
    hooks = [model.model[i].register_forward_hook(lambda m, inp, out, i=i: acts.__setitem__(i, out)) for i in layers]
    detect_head.training = True
    raw = model(x)
    detect_head.training = False
    for h in hooks:
        h.remove()
    sizes = [r.shape[2] * r.shape[3] for r in raw]
    maps = {f"model.{i}": [] for i in layers}
    for d in detections:
        a, level = d["anchor"], 0
        while a >= sizes[level]:
            a -= sizes[level]
            level += 1
        w = raw[level].shape[3]
        score = raw[level][0, 64 + d["class"], a // w, a % w]
        grads = torch.autograd.grad(score, [acts[i] for i in layers], retain_graph=True, allow_unused=True)
        for i, g in zip(layers, grads):
            g = torch.zeros_like(acts[i]) if g is None else g
            cam = torch.relu((g.mean(dim=(2, 3), keepdim=True) * acts[i]).sum(1))[0]
            maps[f"model.{i}"].append({"shape": list(cam.shape), "data": [float(v) for v in cam.flatten().tolist()]})
    return {"detections": len(detections), "maps": maps}


if __name__ == "__main__":
    main()
