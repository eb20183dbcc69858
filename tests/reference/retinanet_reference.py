"""Reference for src/Detectors' RetinaNet: torchvision 0.14's RetinaNet (v1 layout, retinanet_resnet50_fpn's module
tree) at a small width, run on samples/bus.jpg.

The model is torchvision's own RetinaNet class with torchvision's own modules: the small ResNet body of
detectors_reference.py (Bottleneck [1, 1, 1, 1], planes 4/8/16/32), BackboneWithFPN over layer2..layer4
(returned_layers [2, 3, 4]) with LastLevelP6P7(16, 16) (in == out, so P6 is computed from P5 as in v1) and 16 FPN
channels, the default RetinaNet anchors (sizes 32..512 x scales 2^0, 2^(1/3), 2^(2/3) x ratios 0.5/1/2) and
RetinaNetHead(16, 9 anchors, 4 classes). Small test-time settings keep it fast: min_size 320, max_size 512,
topk_candidates 40 per level, 100 detections per image (score_thresh 0.05 and nms_thresh 0.5 are the defaults).
So that detections exist and are not decided by ties with random weights: BatchNorm statistics are randomised, the
head convs get std 0.15 instead of 0.01, cls_logits std 0.2 with per-class biases (-3.5, -2.5, -3, -2.8) instead of
the prior's -4.6, bbox_reg std 0.05.

Writes tests/fixtures/detectors/:
  retina_tiny.pth     torch.save(model.state_dict()) (zip), float32
  retina_tiny.json    config, transformed sizes, every pyramid level's channel sums (P3..P7), per level the sums of
                      the class logits and box deltas, torchvision's detections (boxes in original-image pixels,
                      scores, labels) with the level and anchor each was decoded from and its class logit, and per-box
                      gradients by autograd (one backward per box) at the box's level: the Grad-CAM map and the
                      gradient's channel sums.
Everything runs in float64 from float32-exact weights (the image is decoded by OpenCV, libjpeg-turbo as ours).
Run: /usr/bin/python3 tests/reference/retinanet_reference.py
"""
import json
import os

import cv2
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import resnet
from torchvision.models.detection import RetinaNet
from torchvision.models.detection.backbone_utils import BackboneWithFPN
from torchvision.models.detection.retinanet import RetinaNetHead
from torchvision.ops import boxes as box_ops
from torchvision.ops.feature_pyramid_network import LastLevelP6P7

from fixture_io import FIXTURES

OUT = os.path.join(FIXTURES, "detectors")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
LEVELS = ["0", "1", "2", "p6", "p7"]
LAYERS = ["backbone.fpn.layer_blocks.0.0", "backbone.fpn.layer_blocks.1.0", "backbone.fpn.layer_blocks.2.0",
          "backbone.fpn.extra_blocks.p6", "backbone.fpn.extra_blocks.p7"]
gen = torch.Generator().manual_seed(1718)
CONFIG = {"min_size": 320, "max_size": 512, "topk_candidates": 40, "detections_per_img": 100, "classes": 4,
          "fpn_channels": 16}


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
    torch.manual_seed(18)
    widths = [4, 8, 16, 32]
    fpn, classes = CONFIG["fpn_channels"], CONFIG["classes"]
    backbone = BackboneWithFPN(small_body(widths), {"layer2": "0", "layer3": "1", "layer4": "2"},
                               [w * 4 for w in widths[1:]], fpn, extra_blocks=LastLevelP6P7(fpn, fpn))
    model = RetinaNet(backbone, classes, min_size=CONFIG["min_size"], max_size=CONFIG["max_size"],
                      topk_candidates=CONFIG["topk_candidates"], detections_per_img=CONFIG["detections_per_img"],
                      head=RetinaNetHead(fpn, 9, classes))
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                n = m.num_features
                m.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
                m.running_mean.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
                m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)
        for sub in (model.head.classification_head, model.head.regression_head):
            for block in sub.conv:
                conv = block[0]
                conv.weight.copy_(torch.randn(conv.weight.shape, generator=gen) * 0.15)
                conv.bias.copy_(torch.randn(conv.bias.shape, generator=gen) * 0.05)
        cls = model.head.classification_head.cls_logits
        cls.weight.copy_(torch.randn(cls.weight.shape, generator=gen) * 0.2)
        cls.bias.copy_(torch.tensor([-3.5, -2.5, -3.0, -2.8]).repeat(9))
        reg = model.head.regression_head.bbox_reg
        reg.weight.copy_(torch.randn(reg.weight.shape, generator=gen) * 0.05)
        for p in model.parameters():  # float32-exact
            p.copy_(p.float().double())
    return model.eval()


def flat(x, per):
    """RetinaNet's head layout: [N, A*per, H, W] -> [H*W*A, per] (location y-major, then x, then anchor)."""
    n, _, h, w = x.shape
    return x.view(n, -1, per, h, w).permute(0, 3, 4, 1, 2).reshape(-1, per)


def head_levels(model, features):
    """Per level: raw cls logits [HWA, K] and box deltas [HWA, 4] from torchvision's own head modules."""
    ch, rh = model.head.classification_head, model.head.regression_head
    out = []
    for f in features:
        out.append((flat(ch.cls_logits(ch.conv(f)), ch.num_classes), flat(rh.bbox_reg(rh.conv(f)), 4)))
    return out


def tracked_postprocess(model, levels, anchors, image_size):
    """torchvision's postprocess_detections, remembering each candidate's (level, anchor, label)."""
    boxes, scores, labels, source = [], [], [], []
    for l, ((logits, deltas), anc) in enumerate(zip(levels, anchors)):
        k = logits.shape[-1]
        s = torch.sigmoid(logits).flatten()
        keep = s > model.score_thresh
        s = s[keep]
        idx = torch.where(keep)[0]
        s, order = s.topk(min(model.topk_candidates, idx.numel()))
        idx = idx[order]
        a, lab = torch.div(idx, k, rounding_mode="floor"), idx % k
        b = box_ops.clip_boxes_to_image(model.box_coder.decode_single(deltas[a], anc[a]), image_size)
        boxes.append(b), scores.append(s), labels.append(lab)
        source += [(l, int(i), int(j)) for i, j in zip(a, lab)]
    boxes, scores, labels = torch.cat(boxes), torch.cat(scores), torch.cat(labels)
    keep = box_ops.batched_nms(boxes, scores, labels, model.nms_thresh)[: model.detections_per_img]
    return boxes[keep], scores[keep], labels[keep], [source[i] for i in keep.tolist()]


def main():
    os.makedirs(OUT, exist_ok=True)
    model = build()
    torch.save(model.state_dict(), os.path.join(OUT, "retina_tiny.pth"))
    model = model.double()

    bgr = cv2.imread(os.path.join(ROOT, "samples", "bus.jpg"))
    image = torch.from_numpy(bgr[:, :, ::-1].copy()).permute(2, 0, 1).double() / 255.0
    with torch.no_grad():
        images, _ = model.transform([image])
        features = list(model.backbone(images.tensors).values())
        levels = head_levels(model, features)
        sizes = [f.shape[2] * f.shape[3] * 9 for f in features]
        anchors = model.anchor_generator(images, features)[0].split(sizes)
        boxes, scores, labels, source = tracked_postprocess(model, levels, anchors, images.image_sizes[0])
        kept = model.transform.postprocess([{"boxes": boxes, "scores": scores, "labels": labels}],
                                           images.image_sizes, [tuple(image.shape[-2:])])[0]
        full = model([image])[0]
    for k in ("boxes", "scores", "labels"):  # the tracked postprocess is torchvision's
        assert torch.equal(full[k], kept[k]), k
    assert len({s[0] for s in source}) > 2, source  # boxes from several levels
    fixture = {
        "generator": "tests/reference/retinanet_reference.py (torch %s, float64)" % torch.__version__,
        "config": CONFIG,
        "image": list(image.shape[-2:]),
        "resized": list(images.image_sizes[0]),
        "padded": list(images.tensors.shape[-2:]),
        "feature_sums": [[float(v) for v in f[0].sum(dim=(1, 2))] for f in features],
        "feature_shapes": [list(f.shape) for f in features],
        "logit_sums": [[float(v) for v in lg.sum(dim=0)] for lg, _ in levels],
        "delta_sums": [[float(v) for v in d.sum(dim=0)] for _, d in levels],
        "anchor_counts": sizes,
        "anchors_first": compact(anchors[0][:18]),
        "boxes": compact(kept["boxes"]),
        "scores": compact(kept["scores"]),
        "labels": [int(v) for v in kept["labels"]],
        "level": [s[0] for s in source],
        "anchor": [s[1] for s in source],
        "logit": [float(levels[l][0][a, c]) for l, a, c in source],
    }
    fixture["gradients"] = gradients(model, images, source)
    with open(os.path.join(OUT, "retina_tiny.json"), "w") as f:
        json.dump(fixture, f)
    print("detections", source, fixture["resized"], fixture["padded"], [round(float(s), 4) for s in scores])


def gradients(model, images, source, count=4):
    """Per kept detection (the first `count`, and one of each further level) by autograd through torchvision's own
    modules, one backward per box: the score is its class logit at its anchor (and, for the first box, its sigmoid
    probability); the layer is the pyramid level the anchor belongs to. Grad-CAM map = ReLU(sum_c mean_hw(ds/dA_c) A_c)
    at the level's resolution, and the gradient's per-channel sums."""
    picks = list(range(min(count, len(source))))
    for d, (l, _, _) in enumerate(source):
        if l not in [source[p][0] for p in picks]:
            picks.append(d)
    out = []
    for mode in ("logit", "prob"):
        for d in (picks if mode == "logit" else picks[:1]):
            features = list(model.backbone(images.tensors).values())
            l, a, c = source[d]
            logits, _ = head_levels(model, features)[l]
            score = logits[a, c] if mode == "logit" else torch.sigmoid(logits[a, c])
            act = features[l]
            grad, = torch.autograd.grad(score, act)
            cam = F.relu((grad.mean(dim=(2, 3), keepdim=True) * act).sum(dim=1))[0]
            out.append({"detection": d, "score": mode, "layer": LAYERS[l], "map": compact(cam, 7),
                        "grad_sums": [float(v) for v in grad[0].sum(dim=(1, 2))]})
    return out


main()
