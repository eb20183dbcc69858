"""Our own minimal PyTorch YOLOv5 (v6.x modules), built from a checkpoint's yaml, for reference fixtures.

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

def autopad(k):
    return k // 2


class Conv(nn.Module):
    """Conv2d (no bias) + BatchNorm2d + SiLU, YOLOv5's basic block."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k) if p is None else p, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2, eps=1e-3, momentum=0.03)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


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
    """The three 1x1 output convolutions; forward returns their raw (pre-sigmoid) outputs."""

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


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        gd, gw, nc = cfg["depth_multiple"], cfg["width_multiple"], cfg["nc"]
        ch, layers, self.froms = [cfg.get("ch", 3)], [], []
        for i, (f, n, name, args) in enumerate(cfg["backbone"] + cfg["head"]):
            n = max(round(n * gd), 1) if n > 1 else n
            if name in ("Conv", "C3", "SPPF"):
                c1, c2 = ch[f], args[0]
                c2 = make_divisible(c2 * gw) if c2 != nc + 5 else c2
                rest = list(args[1:])
                if name == "C3":
                    m = C3(c1, c2, n, *rest)
                else:
                    m = {"Conv": Conv, "SPPF": SPPF}[name](c1, c2, *rest)
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
