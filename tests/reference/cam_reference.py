"""Reference class-activation maps for yolov5n, in float64, for tests/Cam.

Uses our PyTorch YOLOv5 (yolov5_reference.py), the fixed 160x128 input (fixtures/yolo/yolov5n_input.npy) and
its three targets (fixtures/yolo/yolov5n.json: one class logit per Detect level). For every target, every layer
of model.17/20/23.cv3.act and every method, the raw map before normalisation (after the final ReLU), with the
formulas of docs/cam.md; EigenCAM/EigenGrad-CAM by numpy's SVD (centred, the sign that makes the projection's
largest-magnitude entry positive). Also: Grad-CAM for score=conf, Grad-CAM++ with pytorch-grad-cam's 1e-6
epsilon, and guided backprop (SiLU backward gx = silu'(x)·max(gy, 0)) with Guided Grad-CAM.
Writes fixtures/cam/yolov5n_cam.json and a few .npy files.

Run: cd tests/reference && /usr/bin/python3 cam_reference.py
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from yolov5_reference import build, ROOT

HERE = os.path.dirname(os.path.abspath(__file__))
YOLO = os.path.join(HERE, "..", "fixtures", "yolo")
OUT = os.path.join(HERE, "..", "fixtures", "cam")
LAYERS = ["model.17.cv3.act", "model.20.cv3.act", "model.23.cv3.act"]


# ---- the methods, on one target's activation a [C, h, w] and gradient g [C, h, w] (float64 numpy) -------

def relu(x):
    return np.maximum(x, 0)


def weighted(a, w):
    return relu(np.einsum("c,chw->hw", w, a))


def grad_cam(a, g):
    return weighted(a, g.mean(axis=(1, 2)))


def grad_cam_pp(a, g, eps=0.0):
    s = a.sum(axis=(1, 2))[:, None, None]
    g2, g3 = g ** 2, g ** 3
    den = 2 * g2 + s * g3 + eps
    alpha = np.where((den != 0) & (g != 0), g2 / np.where(den != 0, den, 1), 0)
    return weighted(a, (alpha * relu(g)).sum(axis=(1, 2)))


def xgrad_cam(a, g):
    s = a.sum(axis=(1, 2))
    w = np.where(s != 0, (a * g).sum(axis=(1, 2)) / np.where(s != 0, s, 1), 0)
    return weighted(a, w)


def layer_cam(a, g):
    return relu((relu(g) * a).sum(axis=0))


def hires_cam(a, g):
    return relu((g * a).sum(axis=0))


def eigen(x):
    """First principal component projection of the pixels (rows) of x [C, h, w], centred, sign-fixed."""
    c, h, w = x.shape
    m = x.reshape(c, -1).T
    m = m - m.mean(axis=0)
    if not np.any(m):
        return np.zeros((h, w)), 0.0
    _, s, vt = np.linalg.svd(m, full_matrices=False)
    q = m @ vt[0]
    if q[np.argmax(np.abs(q))] < 0:
        q = -q
    gap = (s[1] / s[0]) ** 2 if len(s) > 1 else 0.0
    return relu(q).reshape(h, w), gap


METHODS = {
    "GradCam": grad_cam,
    "GradCamPlusPlus": grad_cam_pp,
    "XGradCam": xgrad_cam,
    "LayerCam": layer_cam,
    "HiResCam": hires_cam,
    "EigenGradCam": lambda a, g: eigen(a * g)[0],
}


# ---- guided backprop: SiLU whose backward passes only positive incoming gradients -------------------

class GuidedSiLUFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return F.silu(x)

    @staticmethod
    def backward(ctx, gy):
        (x,) = ctx.saved_tensors
        s = torch.sigmoid(x)
        return gy.clamp(min=0) * s * (1 + x * (1 - s))


class GuidedSiLU(nn.Module):
    def forward(self, x):
        return GuidedSiLUFn.apply(x)


def make_guided(model):
    for name, m in list(model.named_modules()):
        for child_name, child in list(m.named_children()):
            if isinstance(child, nn.SiLU):
                setattr(m, child_name, GuidedSiLU())


# ---- running the model ------------------------------------------------------------------------------

def score_of(outs, t, conf):
    o = outs[t["level"]][0]
    cls = o[t["channel"], t["y"], t["x"]]
    if not conf:
        return cls
    obj = o[t["channel"] - 5 - t["class"] + 4, t["y"], t["x"]]
    return torch.sigmoid(obj) * torch.sigmoid(cls)


def layer_grads(model, x, targets, conf):
    acts = {}
    hooks = [model.get_submodule(n).register_forward_hook(lambda m, i, o, n=n: acts.__setitem__(n, o)) for n in LAYERS]
    outs = model(x)
    for h in hooks:
        h.remove()
    grads = []
    for t in targets:
        g = torch.autograd.grad(score_of(outs, t, conf), [acts[n] for n in LAYERS], retain_graph=True, allow_unused=True)
        grads.append({n: (torch.zeros_like(acts[n]) if gi is None else gi)[0].numpy() for n, gi in zip(LAYERS, g)})
    return {n: acts[n][0].detach().numpy() for n in LAYERS}, grads


def array(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def main():
    model, cfg, _ = build(os.path.join(ROOT, "samples", "yolov5n.pt"))
    model = model.double()
    meta = json.load(open(os.path.join(YOLO, "yolov5n.json")))
    targets = meta["targets"]
    x = torch.from_numpy(np.load(os.path.join(YOLO, "yolov5n_input.npy")).astype(np.float64))
    os.makedirs(OUT, exist_ok=True)

    acts, grads = layer_grads(model, x, targets, conf=False)
    _, conf_grads = layer_grads(model, x, targets, conf=True)
    maps, gaps = {}, {}
    for n in LAYERS:
        a = acts[n]
        maps[f"EigenCam/{n}"] = array(eigen(a)[0][None])
        gaps[n] = eigen(a)[1]
        for name, fn in METHODS.items():
            maps[f"{name}/{n}"] = array([fn(a, grads[k][n]) for k in range(len(targets))])
        maps[f"GradCamPlusPlusEps/{n}"] = array([grad_cam_pp(a, grads[k][n], 1e-6) for k in range(len(targets))])
        maps[f"GradCamConf/{n}"] = array([grad_cam(a, conf_grads[k][n]) for k in range(len(targets))])

    # XGrad-CAM on PyTorch's own float32 activation and gradient of model.23 (fixtures/yolo): the kernel's
    # arithmetic alone, without the network's float32 noise (XGrad-CAM divides by Σ_p A, which cancels to 5e-4
    # for one channel there, so the float32 network itself moves that map by ~2e-3 of its scale).
    a32 = np.load(os.path.join(YOLO, "yolov5n_act_model_23_cv3_act.npy"))[0].astype(np.float64)
    g32 = np.load(os.path.join(YOLO, "yolov5n_grad2_model_23_cv3_act.npy"))[0].astype(np.float64)
    maps["XGradCamOnFloat32/model.23.cv3.act"] = array(xgrad_cam(a32, g32)[None])
    s = acts["model.23.cv3.act"].sum(axis=(1, 2))
    print("model.23 smallest |sum_p A|:", np.sort(np.abs(s))[:3], "float32-network XGrad-CAM change:",
          np.abs(xgrad_cam(a32, g32) - xgrad_cam(acts["model.23.cv3.act"], grads[2]["model.23.cv3.act"])).max()
          / xgrad_cam(acts["model.23.cv3.act"], grads[2]["model.23.cv3.act"]).max())

    # Guided backprop: input gradients of each target's logit with guided SiLUs; Guided Grad-CAM at model.17.
    make_guided(model)
    xg = x.clone().requires_grad_(True)
    outs = model(xg)
    gb = np.stack([torch.autograd.grad(score_of(outs, t, False), xg, retain_graph=True)[0][0].numpy() for t in targets])
    np.save(os.path.join(OUT, "yolov5n_guided0.npy"), gb[0].astype("<f4"))
    np.save(os.path.join(OUT, "yolov5n_guided2.npy"), gb[2].astype("<f4"))
    cam = torch.from_numpy(np.array(maps["GradCam/model.17.cv3.act"]["data"]).reshape(len(targets), 1, *acts[LAYERS[0]].shape[1:]))
    up = F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)[:, 0].numpy()
    np.save(os.path.join(OUT, "yolov5n_guided_gradcam0_model_17.npy"), (gb[0] * up[0][None]).astype("<f4"))

    with open(os.path.join(OUT, "yolov5n_cam.json"), "w") as f:
        json.dump({"generator": f"tests/reference/cam_reference.py (PyTorch {torch.__version__}, float64)",
                   "input": "fixtures/yolo/yolov5n_input.npy", "targets": targets, "layers": LAYERS,
                   "eigen_gap_squared": gaps, "maps": maps}, f)
    print("wrote", os.path.relpath(OUT), "eigen (s1/s0)^2:", gaps)


if __name__ == "__main__":
    main()
