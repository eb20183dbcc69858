"""Reference for src/Detectors: torchvision 0.14's Faster R-CNN (v1 layout, fasterrcnn_resnet50_fpn's module tree) at
a small width, run on samples/bus.jpg.

The model is torchvision's own FasterRCNN class with torchvision's own modules: a ResNet body built through
ResNet._make_layer at small widths (Bottleneck [1, 1, 1, 1], planes 4/8/16/32, as tests/reference/classifiers_reference.py
does: the classes fix the widths 64..2048, the module tree is what torchvision builds), BackboneWithFPN with
LastLevelMaxPool and 16 FPN channels, the default AnchorGenerator (sizes 32..512, ratios 0.5/1/2), RPNHead,
MultiScaleRoIAlign(['0', '1', '2', '3'], 7, 2), TwoMLPHead(16·7·7, 32) and FastRCNNPredictor(32, 4 classes). The
state-dict keys are fasterrcnn_resnet50_fpn's (BatchNorm2d as torchvision uses when no pretrained weights are
given; FrozenBatchNorm2d has the same keys less num_batches_tracked and the same eps 1e-5). A small config keeps it
fast: min_size 320, max_size 512, RPN pre/post-NMS top-n 60/24 per image at test time, 8 detections per image.
So that detections exist with random weights: BatchNorm statistics are randomised (folding is exercised), and the
box predictor's class logits get a wider weight (std 0.3) and biases (0, 2, 1.5, 1) that lift every foreground class
above score_thresh 0.05 — the per-class NMS and the top-8 cut then decide what is kept.

Writes tests/fixtures/detectors/:
  frcnn_tiny.pth        torch.save(model.state_dict()) (zip), float32
  frcnn_tiny_ckpt.pth   a training checkpoint {'model': state_dict, 'epoch': 3}
  frcnn_tiny.json       config, the transformed input's size and sums, RPN proposals, the RoIAlign output of the first
                        4 proposals, class logits, and torchvision's detections (boxes in original-image pixels,
                        scores, labels) with the proposal each came from.
Everything runs in float64 from float32-exact weights (the image is decoded by OpenCV, libjpeg-turbo as ours).
Run: /usr/bin/python3 tests/reference/detectors_reference.py
"""
import json
import os

import cv2
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import resnet
from torchvision.models.detection import FasterRCNN
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.ops.feature_pyramid_network import LastLevelMaxPool

from fixture_io import FIXTURES

OUT = os.path.join(FIXTURES, "detectors")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
gen = torch.Generator().manual_seed(1717)


def compact(t, digits=9):
    t = t.detach().double().contiguous()
    return {"shape": list(t.shape), "data": [float("%.*g" % (digits, v)) for v in t.reshape(-1).tolist()]}


def small_body(widths):
    block = resnet.Bottleneck
    m = resnet.ResNet(block, [1, 1, 1, 1])
    m.inplanes = widths[0]
    m.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
    m.bn1 = nn.BatchNorm2d(widths[0])
    m.layer1 = m._make_layer(block, widths[0], 1)
    m.layer2 = m._make_layer(block, widths[1], 1, stride=2)
    m.layer3 = m._make_layer(block, widths[2], 1, stride=2)
    m.layer4 = m._make_layer(block, widths[3], 1, stride=2)
    return m


def build():
    torch.manual_seed(17)
    widths = [4, 8, 16, 32]
    body = small_body(widths)
    fpn_channels, classes = 16, 4
    backbone = BackboneWithFPN(body, {"layer1": "0", "layer2": "1", "layer3": "2", "layer4": "3"},
                               [w * 4 for w in widths], fpn_channels, extra_blocks=LastLevelMaxPool())
    model = FasterRCNN(backbone, num_classes=None, min_size=320, max_size=512,
                       rpn_pre_nms_top_n_test=60, rpn_post_nms_top_n_test=24, box_detections_per_img=8,
                       box_head=TwoMLPHead(fpn_channels * 49, 32), box_predictor=FastRCNNPredictor(32, classes))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
                m.running_mean.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
                m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
        cls = model.roi_heads.box_predictor.cls_score
        cls.weight.copy_(torch.randn(cls.weight.shape, generator=gen) * 0.3)
        cls.bias.copy_(torch.tensor([0.0, 2.0, 1.5, 1.0]))
        # RPN objectness spread so the per-level top-n is not decided by near ties
        rpn = model.rpn.head.cls_logits
        rpn.weight.copy_(torch.randn(rpn.weight.shape, generator=gen) * 0.5)
        for p in model.parameters():  # float32-exact
            p.copy_(p.float().double())
    return model.eval()


def main():
    os.makedirs(OUT, exist_ok=True)
    model = build()
    torch.save(model.state_dict(), os.path.join(OUT, "frcnn_tiny.pth"))
    torch.save({"model": model.state_dict(), "epoch": 3}, os.path.join(OUT, "frcnn_tiny_ckpt.pth"))
    model = model.double()

    bgr = cv2.imread(os.path.join(ROOT, "samples", "bus.jpg"))
    image = torch.from_numpy(bgr[:, :, ::-1].copy()).permute(2, 0, 1).double() / 255.0

    with torch.no_grad():
        images, _ = model.transform([image])
        features = model.backbone(images.tensors)
        proposals, _ = model.rpn(images, features)
        pooled = model.roi_heads.box_roi_pool(features, proposals, images.image_sizes)
        logits, regression = model.roi_heads.box_predictor(model.roi_heads.box_head(pooled))
        kept_boxes, kept_scores, kept_labels = model.roi_heads.postprocess_detections(logits, regression, proposals,
                                                                                  images.image_sizes)
        kept = [{"boxes": kept_boxes[0], "scores": kept_scores[0], "labels": kept_labels[0]}]
        detections = model.transform.postprocess(kept, images.image_sizes, [tuple(image.shape[-2:])])[0]
        full = model([image])[0]
    for k in ("boxes", "scores", "labels"):
        assert torch.equal(full[k], detections[k]), k

    # The proposal each detection came from: postprocess keeps (proposal, class) pairs; find the pair whose decoded,
    # clipped box and softmax score equal the detection's.
    probs = F.softmax(logits, -1)
    source = []
    for b, s, l in zip(detections["boxes"], detections["scores"], detections["labels"]):
        match = [p for p in range(len(probs)) if probs[p, l] == s]
        assert len(match) == 1, match
        source.append(match[0])
    fixture = {
        "generator": "tests/reference/detectors_reference.py (torch %s, float64)" % torch.__version__,
        "config": {"min_size": 320, "max_size": 512, "rpn_pre_nms_top_n": 60, "rpn_post_nms_top_n": 24,
                   "detections_per_img": 8, "classes": 4, "fpn_channels": 16, "representation": 32},
        "image": list(image.shape[-2:]),
        "resized": list(images.image_sizes[0]),
        "padded": list(images.tensors.shape[-2:]),
        "input_sums": [float(v) for v in images.tensors[0].sum(dim=(1, 2))],
        "input_corner": compact(images.tensors[0, :, :4, :5]),
        "feature_sums": {k: [float(v) for v in f[0].sum(dim=(1, 2))] for k, f in features.items()},
        "feature_shapes": {k: list(f.shape) for k, f in features.items()},
        "proposals": compact(proposals[0]),
        "roi_align_first4": compact(pooled[:4]),
        "class_logits": compact(logits),
        "boxes": compact(detections["boxes"]),
        "scores": compact(detections["scores"]),
        "labels": [int(v) for v in detections["labels"]],
        "proposal_of_detection": source,
    }
    fixture["gradcam"] = gradcam(model, images, proposals, detections, source)
    with open(os.path.join(OUT, "frcnn_tiny.json"), "w") as f:
        json.dump(fixture, f)
    print("detections", len(source), "proposals", len(proposals[0]), fixture["resized"], fixture["padded"], source)



def gradcam(model, images, proposals, detections, source, count=3):
    """Per-box Grad-CAM by autograd through torchvision's own modules, one backward per box (seed 002's loop): the
    score is the detection's class logit (and, for the first box, its softmax probability) in its proposal's row; the
    layer is the FPN level (layer_blocks.L output) that proposal is pooled from. Map = ReLU(Σ_c mean_hw(∂s/∂A_c) A_c)
    at the level's resolution (pytorch-grad-cam's Grad-CAM before its upsampling and scaling)."""
    pool = model.roi_heads.box_roi_pool
    levels = pool.map_levels(proposals).tolist() if pool.map_levels is not None else None
    out = []
    for mode in ("logit", "prob"):
        for d in range(count if mode == "logit" else 1):
            features = model.backbone(images.tensors)
            pooled = pool(features, proposals, images.image_sizes)
            logits, _ = model.roi_heads.box_predictor(model.roi_heads.box_head(pooled))
            p, label = source[d], int(detections["labels"][d])
            score = logits[p, label] if mode == "logit" else F.softmax(logits[p], -1)[label]
            level = int(levels[p])
            act = features[str(level)]
            grad, = torch.autograd.grad(score, act)
            cam = F.relu((grad.mean(dim=(2, 3), keepdim=True) * act).sum(dim=1))[0]
            out.append({"detection": d, "score": mode, "layer": "backbone.fpn.layer_blocks.%d.0" % level,
                        "map": compact(cam, 7)})
    return out


def layouts():
    """Key -> shape of the full-size torchvision 0.14 detectors (no weights): fasterrcnn_resnet50_fpn (v1, 91 COCO
    classes), its v2, and retinanet_resnet50_fpn, for the architecture-inference and refusal tests."""
    from torchvision.models import detection
    out = {}
    for name in ("fasterrcnn_resnet50_fpn", "fasterrcnn_resnet50_fpn_v2", "retinanet_resnet50_fpn"):
        model = getattr(detection, name)(weights=None, weights_backbone=None)
        out[name] = {k: list(v.shape) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    with open(os.path.join(OUT, "layouts.json"), "w") as f:
        json.dump(out, f)


layouts()
main()
