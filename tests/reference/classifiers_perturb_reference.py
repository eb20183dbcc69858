"""Reference for the perturbation methods of src/Cam (Score-CAM, Ablation-CAM) on classifiers: pytorch-grad-cam 1.5.5's
own ScoreCAM and AblationCAM on a few fixtures of classifiers_reference.py, added to their "methods" entries.

The models are rebuilt with classifiers_reference.py's builders, loaded from the fixtures' own state dicts and inputs
(nothing else in the fixtures changes), run in float64; the first case's layer and classes. Raw maps per layer [K, h, w]
(ReLU'd, before pytorch-grad-cam's scaling), as other_methods() writes them.
Run: PYTHONPATH=/tmp/pgc /usr/bin/python3 tests/reference/classifiers_perturb_reference.py [method ...]
"""
import json
import os
import sys

import numpy as np
import torch

from classifiers_reference import MODELS, OUT, compact
from pytorch_grad_cam import AblationCAM, ScoreCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

NAMES = ["resnet_basic", "mobilenet_v2_025", "vgg_small"]
MAKERS = {"scorecam": lambda model, layers: ScoreCAM(model=model, target_layers=layers),
          "ablationcam": lambda model, layers: AblationCAM(model=model, target_layers=layers)}


def raw_maps(make, model, x, layers, classes):
    """Raw ReLU'd maps per layer of one pytorch-grad-cam method (the first hooked activations: the unperturbed pass)."""
    modules = dict(model.named_modules())
    batch = x.repeat(len(classes), 1, 1, 1)
    targets = [ClassifierOutputTarget(c) for c in classes]
    with make(model, [modules[n] for n in layers]) as cam:
        cam(input_tensor=batch, targets=targets)
        acts = [a.numpy() for a in cam.activations_and_grads.activations[:len(layers)]]
        return [np.maximum(cam.get_cam_image(batch, modules[n], targets, acts[i], None, False), 0) for i, n in enumerate(layers)]


def main():
    methods = sys.argv[1:] or list(MAKERS)
    builders = {name: build for name, build, _, _ in MODELS}
    for name in NAMES:
        path = os.path.join(OUT, name + ".json")
        fixture = json.load(open(path))
        model = builders[name]()
        model.load_state_dict(torch.load(os.path.join(OUT, name + ".pt")))
        model = model.double().eval()
        x = torch.tensor(fixture["input"]["data"], dtype=torch.float64).reshape(fixture["input"]["shape"])
        case = fixture["cases"][0]
        layers, classes = case["layers"], case["classes"]
        for method in methods:
            raw = raw_maps(MAKERS[method], model, x, layers, classes)
            fixture["methods"][method] = {"layers": layers, "classes": classes,
                                          "raw": {l: compact(torch.from_numpy(np.ascontiguousarray(r)), 7) for l, r in zip(layers, raw)}}
            print(name, method, layers, [round(float(r.max()), 5) for r in raw])
        with open(path, "w") as f:
            json.dump(fixture, f)


if __name__ == "__main__":
    main()
