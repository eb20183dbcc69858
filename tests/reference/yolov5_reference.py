"""Our own minimal PyTorch YOLOv5 (v6.x modules: every block the C# builder supports), built from a checkpoint's yaml, for reference fixtures.

Loads the official yolov5n.pt *as data* (stand-in classes for the `models.*` names, whose state we
read; no YOLOv5 code is needed or used), rebuilds the network from its yaml with the module
definitions below, and copies the weights by name. Writes tests/fixtures/yolo/*.npy|json:
the input tensor, the three raw Detect outputs, and the gradients of chosen class logits
w.r.t. the C3 outputs model.17/20/23.cv3.act.

Run: cd tests/reference && /usr/bin/python3 yolov5_reference.py [path/to/yolov5n.pt]
"""
import json
import math
import os
import sys
import types

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(HERE, "..", "fixtures", "yolo")


# ---- loading the official checkpoint as data ---------------------------------------------------

class _Opaque(nn.Module):
    """Stand-in for a class of the YOLOv5 repository: unpickling fills its __dict__, nothing runs."""


class _OpaqueModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        cls = type(name, (_Opaque,), {"__module__": self.__name__})
        setattr(self, name, cls)
        return cls


def load_checkpoint(path):
    for name in ["models", "models.yolo", "models.common", "models.experimental", "utils", "utils.general"]:
        sys.modules.setdefault(name, _OpaqueModule(name))
    ckpt = torch.load(path, map_location="cpu")
    model = ckpt.get("ema") or ckpt["model"]
    return model.yaml, model.names, model.state_dict()


# ---- the modules ---------------------------------------------------------------------------------
# Written from YOLOv5 v6.x's semantics; class, attribute and state_dict names follow its models/common.py
# and models/experimental.py so that community checkpoints load with strict=True.

def autopad(k, p=None):
    """'Same' padding for odd kernels; k may be an int or a (kh, kw) pair."""
    if p is not None:
        return p
    return k // 2 if isinstance(k, int) else [v // 2 for v in k]


class Conv(nn.Module):
    """Conv2d (no bias) + BatchNorm2d + SiLU, YOLOv5's basic block; act=False gives nn.Identity()."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k, p), groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2, eps=1e-3, momentum=0.03)
        self.act = nn.SiLU() if act is True else (act if isinstance(act, nn.Module) else nn.Identity())

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class DWConv(Conv):
    """Grouped conv with groups = gcd(c1, c2) (depth-wise when c1 == c2)."""

    def __init__(self, c1, c2, k=1, s=1, act=True):
        super().__init__(c1, c2, k, s, g=math.gcd(c1, c2), act=act)


class DWConvTranspose2d(nn.ConvTranspose2d):
    """Learned depth-wise upsampling: a ConvTranspose2d (with bias) whose groups = gcd(c1, c2)."""

    def __init__(self, c1, c2, k=1, s=1, p1=0, p2=0):
        super().__init__(c1, c2, k, s, p1, p2, groups=math.gcd(c1, c2))


class Focus(nn.Module):
    """Space-to-depth (four pixel phases stacked as channels), then a Conv."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        self.conv = Conv(c1 * 4, c2, k, s, p, g, act=act)

    def forward(self, x):
        phases = (x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2])
        return self.conv(torch.cat(phases, 1))


class Bottleneck(nn.Module):
    def __init__(self, c1, c2, shortcut=True, g=1, e=0.5):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c_, c2, 3, 1, g=g)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class CrossConv(nn.Module):
    """A 1xk conv then a kx1 conv, with an optional shortcut (models/experimental.py)."""

    def __init__(self, c1, c2, k=3, s=1, g=1, e=1.0, shortcut=False):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, (1, k), (1, s))
        self.cv2 = Conv(c_, c2, (k, 1), (s, 1), g=g)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class BottleneckCSP(nn.Module):
    """The pre-C3 CSP block: its BatchNorm normalises cat(cv3(m(cv1(x))), cv2(x)), so it is a standalone bn."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = nn.Conv2d(c1, c_, 1, 1, bias=False)
        self.cv3 = nn.Conv2d(c_, c_, 1, 1, bias=False)
        self.cv4 = Conv(2 * c_, c2, 1, 1)
        self.bn = nn.BatchNorm2d(2 * c_, eps=1e-3, momentum=0.03)
        self.act = nn.SiLU()
        self.m = nn.Sequential(*(Bottleneck(c_, c_, shortcut, g, e=1.0) for _ in range(n)))

    def forward(self, x):
        y1 = self.cv3(self.m(self.cv1(x)))
        y2 = self.cv2(x)
        return self.cv4(self.act(self.bn(torch.cat((y1, y2), 1))))


class C3(nn.Module):
    """CSP bottleneck with 3 convolutions: cv3(cat(m(cv1(x)), cv2(x)))."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        c_ = int(c2 * e)
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c1, c_, 1, 1)
        self.cv3 = Conv(2 * c_, c2, 1)
        self.m = nn.Sequential(*(Bottleneck(c_, c_, shortcut, g, e=1.0) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), 1))


class C3x(C3):
    """C3 whose inner blocks are CrossConvs."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        c_ = int(c2 * e)
        self.m = nn.Sequential(*(CrossConv(c_, c_, 3, 1, g, 1.0, shortcut) for _ in range(n)))


class GhostConv(nn.Module):
    """Half the channels from a Conv, the other half from a cheap 5x5 depth-wise Conv of that half."""

    def __init__(self, c1, c2, k=1, s=1, g=1, act=True):
        super().__init__()
        c_ = c2 // 2
        self.cv1 = Conv(c1, c_, k, s, None, g, act=act)
        self.cv2 = Conv(c_, c_, 5, 1, None, c_, act=act)

    def forward(self, x):
        y = self.cv1(x)
        return torch.cat((y, self.cv2(y)), 1)


class GhostBottleneck(nn.Module):
    """GhostConv -> (stride-2 DWConv) -> GhostConv, plus x (or a DWConv + Conv shortcut when s == 2)."""

    def __init__(self, c1, c2, k=3, s=1):
        super().__init__()
        c_ = c2 // 2
        self.conv = nn.Sequential(
            GhostConv(c1, c_, 1, 1),
            DWConv(c_, c_, k, s, act=False) if s == 2 else nn.Identity(),
            GhostConv(c_, c2, 1, 1, act=False))
        self.shortcut = (nn.Sequential(DWConv(c1, c1, k, s, act=False), Conv(c1, c2, 1, 1, act=False))
                         if s == 2 else nn.Identity())

    def forward(self, x):
        return self.conv(x) + self.shortcut(x)


class C3Ghost(C3):
    """C3 whose inner blocks are GhostBottlenecks."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        c_ = int(c2 * e)
        self.m = nn.Sequential(*(GhostBottleneck(c_, c_) for _ in range(n)))


class SPP(nn.Module):
    """Spatial pyramid pooling: parallel max-pools of sizes k over cv1's output, concatenated."""

    def __init__(self, c1, c2, k=(5, 9, 13)):
        super().__init__()
        c_ = c1 // 2
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c_ * (len(k) + 1), c2, 1, 1)
        self.m = nn.ModuleList(nn.MaxPool2d(kernel_size=v, stride=1, padding=v // 2) for v in k)

    def forward(self, x):
        x = self.cv1(x)
        return self.cv2(torch.cat([x] + [m(x) for m in self.m], 1))


class SPPF(nn.Module):
    """Spatial pyramid pooling, fast: three chained 5x5 max-pools, concatenated."""

    def __init__(self, c1, c2, k=5):
        super().__init__()
        c_ = c1 // 2
        self.cv1 = Conv(c1, c_, 1, 1)
        self.cv2 = Conv(c_ * 4, c2, 1, 1)
        self.m = nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)

    def forward(self, x):
        x = self.cv1(x)
        y1 = self.m(x)
        y2 = self.m(y1)
        return self.cv2(torch.cat((x, y1, y2, self.m(y2)), 1))


class Concat(nn.Module):
    def __init__(self, d=1):
        super().__init__()
        self.d = d

    def forward(self, xs):
        return torch.cat(xs, self.d)


class Detect(nn.Module):
    """The per-level 1x1 output convolutions; forward returns their raw (pre-sigmoid) outputs."""

    def __init__(self, nc, anchors, ch):
        super().__init__()
        self.no = nc + 5
        self.na = len(anchors[0]) // 2
        self.m = nn.ModuleList(nn.Conv2d(c, self.no * self.na, 1) for c in ch)
        # Anchors in grid units (pixels / stride), as the checkpoint stores them.
        self.register_buffer("anchors", torch.tensor(anchors, dtype=torch.float32).view(len(anchors), -1, 2))

    def forward(self, xs):
        return [m(x) for m, x in zip(self.m, xs)]


def make_divisible(x, divisor=8):
    return math.ceil(x / divisor) * divisor


# Modules whose first argument is an output width (scaled by width_multiple), as in parse_model.
WIDTH_SCALED = {m.__name__: m for m in (Conv, DWConv, GhostConv, Bottleneck, GhostBottleneck, SPP, SPPF, Focus,
                                        CrossConv, BottleneckCSP, C3, C3x, C3Ghost, DWConvTranspose2d)}
# CSP blocks take the repeat count as their inner depth instead of being repeated.
CSP = {"BottleneckCSP", "C3", "C3x", "C3Ghost"}


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        gd, gw, nc = cfg["depth_multiple"], cfg["width_multiple"], cfg["nc"]
        no = len(cfg["anchors"][0]) // 2 * (nc + 5)
        ch, layers, self.froms = [cfg.get("ch", 3)], [], []
        for i, (f, n, name, args) in enumerate(cfg["backbone"] + cfg["head"]):
            n = max(round(n * gd), 1) if n > 1 else n
            args = [{"None": None, "nc": nc, "anchors": cfg["anchors"]}.get(a, a) if isinstance(a, str) else a
                    for a in args]
            if name in WIDTH_SCALED:
                c1, c2 = ch[f], args[0]
                c2 = make_divisible(c2 * gw) if c2 != no else c2
                args = [c1, c2, *args[1:]]
                if name in CSP:
                    args.insert(2, n)
                    n = 1
                cls = WIDTH_SCALED[name]
                m = nn.Sequential(*(cls(*args) for _ in range(n))) if n > 1 else cls(*args)
            elif name == "nn.Upsample":
                m, c2 = nn.Upsample(None, args[1], "nearest"), ch[f]
            elif name == "Concat":
                m, c2 = Concat(args[0]), sum(ch[x] for x in f)
            elif name == "Detect":
                m, c2 = Detect(nc, cfg["anchors"], [ch[x] for x in f]), None
            else:
                raise ValueError(f"layer {i}: module {name} is not in this reference")
            layers.append(m)
            self.froms.append(f)
            if i == 0:
                ch = []
            ch.append(c2)
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        outs = []
        for m, f in zip(self.model, self.froms):
            if f != -1:
                x = outs[f] if isinstance(f, int) else [x if j == -1 else outs[j] for j in f]
            x = m(x)
            outs.append(x)
        return x


def build(path):
    cfg, names, state = load_checkpoint(path)
    model = Model(cfg)
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    return model.eval(), cfg, names


# ---- fixtures ------------------------------------------------------------------------------------

def letterbox_tensor(path, new_hw):
    """A fixed input: the image resized (bilinear) into new_hw with gray 114 padding, RGB/255, NCHW."""
    from PIL import Image
    img = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32)
    h, w = img.shape[:2]
    r = min(new_hw[0] / h, new_hw[1] / w)
    nh, nw = round(h * r), round(w * r)
    t = torch.from_numpy(img).permute(2, 0, 1)[None]
    t = F.interpolate(t, size=(nh, nw), mode="bilinear", align_corners=False)
    out = torch.full((1, 3) + tuple(new_hw), 114.0)
    top, left = (new_hw[0] - nh) // 2, (new_hw[1] - nw) // 2
    out[:, :, top:top + nh, left:left + nw] = t
    return (out / 255.0).contiguous()


def main():
    weights = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "samples", "yolov5n.pt")
    model, cfg, names = build(weights)
    os.makedirs(OUT, exist_ok=True)
    x = letterbox_tensor(os.path.join(ROOT, "samples", "bus.jpg"), (160, 128))
    np.save(os.path.join(OUT, "yolov5n_input.npy"), x.numpy().astype("<f4"))

    layers = ["model.17.cv3.act", "model.20.cv3.act", "model.23.cv3.act"]
    acts = {}
    for name in layers:
        module = model.get_submodule(name)
        module.register_forward_hook(lambda m, i, o, name=name: acts.__setitem__(name, o))
    outs = model(x)
    for level, o in enumerate(outs):
        np.save(os.path.join(OUT, f"yolov5n_detect{level}.npy"), o.detach().numpy().astype("<f4"))

    # Targets: the class logit of the strongest cell at each level (level, anchor, y, x, class).
    no = cfg["nc"] + 5
    targets = []
    for level, o in enumerate(outs):
        o5 = o.detach().view(3, no, o.shape[2], o.shape[3])
        obj = o5[:, 4]
        a, y, xx = np.unravel_index(int(obj.argmax()), obj.shape)
        c = int(o5[a, 5:, y, xx].argmax())
        targets.append({"level": level, "anchor": int(a), "y": int(y), "x": int(xx), "class": c,
                        "channel": int(a * no + 5 + c)})
    for k, t in enumerate(targets):
        score = outs[t["level"]][0, t["channel"], t["y"], t["x"]]
        grads = torch.autograd.grad(score, [acts[n] for n in layers], retain_graph=True, allow_unused=True)
        for name, g in zip(layers, grads):
            g = torch.zeros_like(acts[name]) if g is None else g
            np.save(os.path.join(OUT, f"yolov5n_grad{k}_{name.replace('.', '_')}.npy"), g.numpy().astype("<f4"))
    for name in layers:
        np.save(os.path.join(OUT, f"yolov5n_act_{name.replace('.', '_')}.npy"), acts[name].detach().numpy().astype("<f4"))
    with open(os.path.join(OUT, "yolov5n.json"), "w") as f:
        json.dump({"generator": f"tests/reference/yolov5_reference.py (PyTorch {torch.__version__})",
                   "weights": os.path.basename(weights), "input_hw": [160, 128], "layers": layers,
                   "targets": targets, "nc": cfg["nc"], "names": names}, f, indent=1)
    print("wrote", os.path.relpath(OUT), "targets", targets)


if __name__ == "__main__":
    main()
