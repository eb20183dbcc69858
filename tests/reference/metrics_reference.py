"""Reference for src/Cam/Faithfulness and the detection box targets: pytorch-grad-cam 1.5.5 (commit 084273b) itself.

pytorch-grad-cam is not vendored: put its package on PYTHONPATH (classifiers_reference.py says how). The
`renormalize_cam_in_bounding_boxes` of its Faster R-CNN tutorial is not in the package: it is read from a clone of
jacobgil/pytorch-grad-cam at 084273b (REPO below, or the PGC_REPO environment variable) and executed with its drawing
calls (show_cam_on_image, draw_boxes) replaced by the identity, so that it returns the renormalised map itself.

Writes tests/fixtures/cam/metrics.json:
  renormalize   a map [64, 64] (Grad-CAM of resnet_basic, below), int boxes, the tutorial function's result ("rows": its
                scale_cam_image receives a 2-D crop and so scales each row of it) and the same steps with each crop
                scaled whole ("box": scale_cam_image(crop[None])[0], the docstring's intent)
  box_score     FasterRCNNBoxScoreTarget on a torchvision-style output (boxes, labels, scores) for reference boxes and
                labels: its value and its gradient w.r.t. the output's boxes and scores (float64 autograd)
  classifier    resnet_basic (classifiers_reference.py's fixture: state dict, input [1, 3, 64, 64]) in float64, the Grad-CAM
                maps pytorch-grad-cam returns for classes [2, 4, 5] at layer4 (the cams, [3, 64, 64]; class 5's is empty, float32), and per map
                with ClassifierOutputSoftmaxTarget: the softmax confidence, CamMultImageConfidenceChange, DropInConfidence,
                IncreaseInConfidence, ROADMostRelevantFirst / ROADLeastRelevantFirst at 20, 40, 60, 80 and ROADCombined
                over those, all with the imputation's noise off (NoisyLinearImputer(noise=0)); one imputed image
                (most relevant first, 40 %, map 0); and "road_noise_spread": the largest change of any ROAD number when
                the default noise (std 0.01) is on, over 5 torch seeds (what a test with noise on must tolerate)
Run: PYTHONPATH=/tmp/pgc /usr/bin/python3 tests/reference/metrics_reference.py
"""
import json
import os
import subprocess

import numpy as np
import torch

from classifiers_reference import MODELS, OUT as CLASSIFIERS, compact
from fixture_io import FIXTURES
from pytorch_grad_cam import GradCAM
from pytorch_grad_cam.metrics import road
from pytorch_grad_cam.metrics.cam_mult_image import CamMultImageConfidenceChange, DropInConfidence, IncreaseInConfidence
from pytorch_grad_cam.utils.image import scale_cam_image, show_cam_on_image  # noqa: F401 (the tutorial's names)
from pytorch_grad_cam.utils.model_targets import ClassifierOutputSoftmaxTarget, FasterRCNNBoxScoreTarget

REPO = os.environ.get("PGC_REPO", "/work/.mirror/jacobgil+pytorch-grad-cam/repo")
TUTORIAL = "tutorials/Class Activation Maps for Object Detection With Faster RCNN.ipynb"
PERCENTILES = [20, 40, 60, 80]
CLASSES = [2, 4, 5]  # class 5's Grad-CAM map is empty (all 0): ROAD then imputes every pixel


def tutorial_renormalize():
    """The tutorial's renormalize_cam_in_bounding_boxes, its drawing replaced by the identity."""
    nb = json.loads(subprocess.check_output(["git", "--git-dir", os.path.join(REPO, ".git") if os.path.isdir(os.path.join(REPO, ".git")) else REPO,
                                             "show", "084273b:" + TUTORIAL]))
    source = next("".join(c["source"]) for c in nb["cells"] if "def renormalize_cam_in_bounding_boxes" in "".join(c["source"]))
    source = source[:source.index("\nImage.fromarray")]
    scope = {"np": np, "scale_cam_image": scale_cam_image, "labels": None, "classes": None,
             "show_cam_on_image": lambda image, cam, use_rgb: cam, "draw_boxes": lambda boxes, labels, classes, image: image}
    exec(source, scope)
    return scope["renormalize_cam_in_bounding_boxes"]


def renormalize_whole_boxes(boxes, cam):
    """The tutorial's steps with each crop scaled as one map (scale_cam_image on a batch of one)."""
    images = []
    for x1, y1, x2, y2 in boxes:
        img = np.zeros(cam.shape, dtype=np.float32)
        img[y1:y2, x1:x2] = scale_cam_image(cam[None, y1:y2, x1:x2].copy())[0]
        images.append(img)
    return scale_cam_image(np.max(np.float32(images), axis=0)[None])[0]


def renormalize_case(cam):
    boxes = np.int32([[5, 8, 30, 40], [20, 2, 60, 33], [0, 50, 64, 64], [40, 30, 41, 45]])
    rows = tutorial_renormalize()(boxes, None, cam)
    whole = renormalize_whole_boxes(boxes, cam)
    return {"map": compact(torch.from_numpy(cam), 9), "boxes": boxes.tolist(),
            "rows": compact(torch.from_numpy(np.ascontiguousarray(rows)), 9), "box": compact(torch.from_numpy(whole), 9)}


def box_score_case():
    gen = torch.Generator().manual_seed(16)
    xy = torch.rand(7, 2, generator=gen, dtype=torch.float64) * 60
    wh = torch.rand(7, 2, generator=gen, dtype=torch.float64) * 30 + 5
    boxes = torch.cat([xy, xy + wh], 1).float().double()
    labels = torch.tensor([1, 3, 1, 2, 3, 1, 2])
    scores = (torch.rand(7, generator=gen, dtype=torch.float64) * 0.7 + 0.3).float().double()
    # references: near box 0 (label 1, matched), near box 1 with the wrong label, near box 3 (matched), far from all
    refs = np.float64([boxes[0].tolist(), boxes[1].tolist(), boxes[3].tolist(), [200, 200, 220, 230]])
    refs[:3] += np.float64([[1.5, -2, 0.5, 1], [0, 1, -1, 2], [-3, 0.5, 2, -1]])
    ref_labels = [1, 1, 2, 3]
    b, s = boxes.clone().requires_grad_(True), scores.clone().requires_grad_(True)
    value = FasterRCNNBoxScoreTarget(ref_labels, refs, iou_threshold=0.5)({"boxes": b, "labels": labels, "scores": s})
    gb, gs = torch.autograd.grad(value.sum(), [b, s])
    return {"boxes": compact(boxes, 9), "labels": labels.tolist(), "scores": compact(scores, 9), "refs": refs.tolist(),
            "ref_labels": ref_labels, "iou_threshold": 0.5, "value": float(value.sum()),
            "grad_boxes": compact(gb, 12), "grad_scores": compact(gs, 12)}


def road_metrics(x, cams, targets, model, noise):
    road.NoisyLinearImputer.__init__.__defaults__ = (noise, road.neighbors_weights)
    out = {}
    for p in PERCENTILES:
        out["morf_%d" % p] = road.ROADMostRelevantFirst(p)(x, cams, targets, model)
        out["lerf_%d" % p] = road.ROADLeastRelevantFirst(p)(x, cams, targets, model)
    out["combined"] = road.ROADCombined(percentiles=PERCENTILES)(x, cams, targets, model)
    return out


def classifier_case():
    build = {name: b for name, b, _, _ in MODELS}["resnet_basic"]
    fixture = json.load(open(os.path.join(CLASSIFIERS, "resnet_basic.json")))
    model = build()
    model.load_state_dict(torch.load(os.path.join(CLASSIFIERS, "resnet_basic.pt")))
    model = model.double().eval()
    x = torch.tensor(fixture["input"]["data"], dtype=torch.float64).reshape(fixture["input"]["shape"]).repeat(len(CLASSES), 1, 1, 1)
    with GradCAM(model=model, target_layers=[model.layer4]) as cam:
        cams = cam(input_tensor=x, targets=[ClassifierOutputSoftmaxTarget(c) for c in CLASSES]).astype(np.float32)
    targets = [ClassifierOutputSoftmaxTarget(c) for c in CLASSES]
    # the metrics perturb a float32 input (the imputer writes float32 values into it); the model still runs in float64
    x, net = x.float(), model
    model = lambda t: net(t.double())  # noqa: E731
    with torch.no_grad():
        confidence = [float(t(o)) for t, o in zip(targets, model(x))]
    metrics = {"cam_mult": CamMultImageConfidenceChange()(x, cams, targets, model),
               "drop": DropInConfidence()(x, cams, targets, model),
               "increase": IncreaseInConfidence()(x, cams, targets, model)}
    metrics.update(road_metrics(x, cams, targets, model, 0.0))
    spread = 0.0
    for seed in range(5):
        torch.manual_seed(seed)
        noisy = road_metrics(x, cams, targets, model, 0.01)
        spread = max(spread, max(float(np.abs(noisy[k] - metrics[k]).max()) for k in noisy))
    road.NoisyLinearImputer.__init__.__defaults__ = (0.0, road.neighbors_weights)
    mask = torch.from_numpy(cams[0])
    imputed = road.RemoveMostRelevantFirst(40, road.NoisyLinearImputer(noise=0.0))(x[0], mask)
    return {"model": "resnet_basic", "layer": "layer4", "classes": CLASSES, "percentiles": PERCENTILES,
            "cams": compact(torch.from_numpy(cams), 9), "confidence": confidence,
            "metrics": {k: [float(v) for v in np.ravel(m)] for k, m in metrics.items()},
            "road_noise_spread": spread, "imputed_morf_40": compact(imputed, 9)}, cams


def main():
    classifier, cams = classifier_case()
    result = {"generator": "tests/reference/metrics_reference.py (pytorch-grad-cam 1.5.5, PyTorch %s)" % torch.__version__,
              "renormalize": renormalize_case(cams[0]), "box_score": box_score_case(), "classifier": classifier}
    path = os.path.join(FIXTURES, "cam", "metrics.json")
    with open(path, "w") as f:
        json.dump(result, f)
    print("wrote", os.path.relpath(path), "ROAD noise spread", classifier["road_noise_spread"])
    print({k: [round(v, 5) for v in m] for k, m in classifier["metrics"].items()})


if __name__ == "__main__":
    main()
