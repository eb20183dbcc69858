"""The state_dict layout (names and shapes) of yolov8.yaml and yolo11.yaml at every official scale (n/s/m/l/x),
built by Ultralytics' parse_model, so the C# builder can be checked key for key at every scale without weights.
Writes tests/fixtures/yolo11/scales.json.

Run: ULTRALYTICS=/path/containing/ultralytics /usr/bin/python3 tests/reference/ultralytics_scales_reference.py
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import yolo11_reference as v11  # noqa: E402
import yolov8_reference as v8  # noqa: E402
from ultralytics.nn.tasks import parse_model  # noqa: E402
from copy import deepcopy  # noqa: E402


def layout(yaml):
    model, _ = parse_model(deepcopy(yaml), ch=3, verbose=False)
    return [[f"model.{k}", list(v.shape)] for k, v in model.state_dict().items()]


def main():
    out = {}
    for family, make in (("yolov8", lambda s: v8.yolov8_yaml(80, s)), ("yolo11", lambda s: {**v11.yolo11_yaml(80), "scale": s})):
        for scale in "nsmlx":
            out[f"{family}{scale}"] = {"yaml": make(scale), "tensors": layout(make(scale))}
    with open(os.path.join(HERE, "..", "fixtures", "yolo11", "scales.json"), "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
