"""End-to-end detections for samples/bus.jpg and samples/zidane.jpg, YOLOv5 v6.1 detect.py-style.

cv2.imread -> letterbox 640 (auto, stride 32) -> BGR to RGB, /255 -> our PyTorch yolov5n
(yolov5_reference.py, float32) -> Detect decoding + non_max_suppression (conf 0.25, iou 0.45) ->
scale_coords to the original image. Writes tests/fixtures/yolo/detections.json.

Run: cd tests/reference && /usr/bin/python3 yolov5_detect_reference.py
"""
import json
import os

import cv2
import numpy as np
import torch

from yolo_io_reference import decode, letterbox, nms, scale_coords
from yolov5_reference import ROOT, build

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "yolo", "detections.json")


def detect(model, names, path, size=640):
    im0 = cv2.imread(path)
    im = letterbox(im0, (size, size))[0]
    x = torch.from_numpy(np.ascontiguousarray(im[:, :, ::-1].transpose(2, 0, 1))).float()[None] / 255.0
    with torch.no_grad():
        outs = [o.numpy() for o in model(x)]
    pred, index, _ = decode(outs, len(names))
    det = nms(pred, 0.25, 0.45)
    boxes = scale_coords(x.shape[2:], det[:, :4].float().clone(), im0.shape[:2])
    result = []
    for k in range(det.shape[0]):
        cls, row = int(det[k, 5]), int(det[k, 6])
        level, anchor, gy, gx = (int(v) for v in index[row])
        result.append({"class": cls, "name": names[cls], "conf": float(det[k, 4]),
                       "box": [float(v) for v in boxes[k]], "level": level, "anchor": anchor, "y": gy, "x": gx})
    return {"image": os.path.basename(path), "input_hw": list(x.shape[2:]), "orig_hw": list(im0.shape[:2]), "detections": result}


def main():
    model, cfg, names = build(os.path.join(ROOT, "samples", "yolov5n.pt"))
    images = [detect(model, names, os.path.join(ROOT, "samples", f)) for f in ["bus.jpg", "zidane.jpg"]]
    with open(OUT, "w") as f:
        json.dump({"generator": f"tests/reference/yolov5_detect_reference.py (PyTorch {torch.__version__}, cv2 {cv2.__version__})",
                   "images": images}, f, indent=1)
    for im in images:
        print(im["image"], [(d["name"], round(d["conf"], 3)) for d in im["detections"]])


if __name__ == "__main__":
    main()
