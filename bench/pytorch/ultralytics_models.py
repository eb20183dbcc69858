"""yolov8n and yolo11n for bench/vs-ort.sh, built with the official Ultralytics code from its own yamls.

Ultralytics is AGPL and is not vendored: point ULTRALYTICS at a directory holding its `ultralytics` package (imported
at generation time from outside the repository; see docs/yolo.md for how such a directory is made here). Official
weights cannot be downloaded, so, as tests/reference/yolov8_reference.py does for its small fixtures: the package's
cfg/models yaml at scale n with the 80 COCO names of its coco.yaml, seeded init, BatchNorm statistics calibrated on
samples/bus.jpg + zidane.jpg (cumulative average, train mode), then each level's class bias shifted so a handful of
anchors pass conf 0.25. The model is saved as a finished training run's stripped best.pt (fp16 'model', no EMA or
optimizer, train_args, the package's version), so NativeCam reads the very file; the float32 copy of those fp16
values is what is exported, and model.fuse() folds each BatchNorm into its conv as Ultralytics' exporter does.

The exported forward ends where NativeCam's does: the three raw Detect levels, cat(cv2[i](x), cv3[i](x)) =
[1, 4·16 + 80, h, w] (DFL decoding, dist2bbox and the sigmoid are NMS-side work in NativeCam, as YOLOv5's grid decode is).
"""
import os
import sys

import cv2
import numpy as np
import torch
import torch.nn as nn
import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
from yolo_io_reference import letterbox  # noqa: E402  (identical to Ultralytics' LetterBox with auto=True)

sys.path.insert(0, os.environ.get("ULTRALYTICS", "/tmp/ultra"))
import ultralytics  # noqa: E402
from ultralytics.nn.tasks import DetectionModel  # noqa: E402

YAMLS = {"yolov8n": "cfg/models/v8/yolov8n.yaml", "yolo11n": "cfg/models/11/yolo11n.yaml"}


def coco_names():
    with open(os.path.join(os.path.dirname(ultralytics.__file__), "cfg", "datasets", "coco.yaml")) as f:
        return yaml.safe_load(f)["names"]


class RawLevels(nn.Module):
    """DetectionModel's own forward (_predict_once's routing) up to Detect, then Detect's per-level convs."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        y = []
        layers = self.model.model
        for m in layers[:-1]:
            if m.f != -1:
                x = y[m.f] if isinstance(m.f, int) else [x if j == -1 else y[j] for j in m.f]
            x = m(x)
            y.append(x if m.i in self.model.save else None)
        d = layers[-1]
        xs = [x if j == -1 else y[j] for j in d.f]
        return [torch.cat((d.cv2[i](xs[i]), d.cv3[i](xs[i])), 1) for i in range(d.nl)]


def build(name, images, seed=0):
    """The seeded, calibrated model in eval mode (float32 holding fp16 values) and the dict training would save."""
    names = coco_names()
    # the yaml named with its scale letter resolves to yolov8.yaml / yolo11.yaml at scale n, as `YOLO("yolov8n.yaml")`
    torch.manual_seed(seed)
    model = DetectionModel(YAMLS[name].split("/")[-1], nc=len(names), verbose=False)
    model.names = dict(enumerate(names.values()) if isinstance(names, dict) else enumerate(names))
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.reset_running_stats()
            m.momentum = None
    model.train()
    with torch.no_grad():
        for x in images:
            model(x)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.03
    model.eval()
    detect = model.model[-1]
    raw = RawLevels(model).eval()
    with torch.no_grad():  # shift class biases so the top anchors of the samples pass conf 0.25
        levels = [raw(x) for x in images]
        for i in range(detect.nl):
            top = torch.cat([lv[i][:, 4 * detect.reg_max:].flatten() for lv in levels]).sort(descending=True).values[5]
            detect.cv3[i][-1].bias.data += (-1.0 - top)
    model = model.half().float().eval()
    train_args = {"task": "detect", "mode": "train", "model": f"{name}.yaml", "data": "coco.yaml", "epochs": 1, "imgsz": 640,
                  "batch": 16, "seed": seed, "half": False, "classes": None, "name": "train"}
    saved = DetectionModel(YAMLS[name].split("/")[-1], nc=len(names), verbose=False)
    saved.load_state_dict(model.state_dict())
    saved.names, saved.args = dict(model.names), dict(train_args)
    ckpt = {"epoch": -1, "best_fitness": None, "model": saved.half(), "ema": None, "updates": None, "optimizer": None,
            "train_args": train_args, "train_metrics": {}, "date": "2026-12-07T00:00:00",
            "version": ultralytics.__version__, "license": "AGPL-3.0 License (https://ultralytics.com/license)",
            "docs": "https://docs.ultralytics.com"}
    return model, ckpt


def sample(file, size=640):
    """predict's preprocessing of samples/FILE: LetterBox (auto, stride 32, pad 114), BGR to RGB, CHW, /255."""
    im = letterbox(cv2.imread(os.path.join(ROOT, "samples", file)), (size, size))[0]
    return torch.from_numpy(np.ascontiguousarray(im[:, :, ::-1].transpose(2, 0, 1))).float()[None] / 255.0


def make(name):
    """(fused raw-level model in eval mode, bus.jpg's input, {file: object to torch.save}) for export_onnx.py."""
    model, ckpt = build(name, [sample("bus.jpg"), sample("zidane.jpg")])
    x = sample("bus.jpg")
    model.fuse(verbose=False)
    for p in model.parameters():
        p.requires_grad_(False)
    return RawLevels(model).eval(), x, {f"{name}.pt": ckpt}
