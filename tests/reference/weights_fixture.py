#!/usr/bin/python3
"""Reference fixtures for the NativeCam weight converter tests.

Run with Debian's PyTorch (not the first python3 on PATH):
    /usr/bin/python3 tests/reference/weights_fixture.py

It writes, under tests/fixtures/weights/:
  yolov5n.fixture.json          what torch.load sees in ../shared/weights/yolov5n.pt
  vit_torchvision_tiny.pt/.json  a seeded torchvision-style ViT state dict, wrapped as {'model': ...}
  vit_timm_tiny.pt/.json         a seeded timm-style ViT state dict (plain), one tensor in bfloat16
  training_numpy.pt/.json        a training-style checkpoint whose extras are numpy values
                                 (as YOLOv5 saves best_fitness before strip_optimizer)

Per tensor the fixture holds: name, shape, source dtype, the float64 sum and sum of
absolute values, a few values at fixed flat indices, and the sha256 of the tensor as
the converter writes it (float16/bfloat16/float32 -> float32, other dtypes unchanged,
contiguous, little-endian). The C# tests compare against these numbers.
"""
import collections
import hashlib
import json
import os
import pickle
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "tests", "fixtures", "weights")
YOLO = os.path.join(os.path.dirname(REPO), "shared", "weights", "yolov5n.pt")


# --- Loading a pickled YOLOv5 model without the YOLOv5 repository -------------------------

_stand_ins = {}


def _stand_in(module, name):
    """A plain nn.Module subclass named like the YOLOv5 class: unpickling fills its __dict__,
    so _modules/_parameters/_buffers work and state_dict() gives PyTorch's own names."""
    key = (module, name)
    if key not in _stand_ins:
        _stand_ins[key] = type(name, (torch.nn.Module,), {"__module__": module})
    return _stand_ins[key]


class _YoloUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if module.split(".")[0] in ("models", "utils"):
            return _stand_in(module, name)
        return super().find_class(module, name)


def _load_yolo(path):
    """torch.load with _YoloUnpickler. This torch 1.13 build replaces any pickle_module by the
    stdlib pickle unless weights_only=True, so the unpickler is swapped in pickle itself, briefly."""
    original = pickle.Unpickler
    pickle.Unpickler = _YoloUnpickler
    try:
        return torch.load(path, map_location="cpu")
    finally:
        pickle.Unpickler = original


# --- Fixture records -------------------------------------------------------------------------

def _converted_bytes(t):
    """The tensor as the converter stores it by default."""
    t = t.detach().cpu()
    if t.dtype in (torch.float16, torch.bfloat16, torch.float32):
        t = t.float()
    return t.contiguous().numpy().tobytes()  # numpy is little-endian on this machine


def _record(name, t):
    flat = t.detach().reshape(-1)
    n = flat.numel()
    idx = sorted({i for i in (0, 1, n // 3, n // 2, n - 1) if 0 <= i < n})
    values = flat.to(torch.float64)
    return {
        "name": name,
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "sum": float(values.sum().item()),
        "abs_sum": float(values.abs().sum().item()),
        "samples": [[i, float(values[i].item())] for i in idx],
        "sha256": hashlib.sha256(_converted_bytes(t)).hexdigest(),
    }


def _write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
    print("wrote", path, os.path.getsize(path), "bytes")


# --- YOLOv5n ---------------------------------------------------------------------------------

def yolo_fixture():
    ckpt = _load_yolo(YOLO)
    model = ckpt.get("ema") or ckpt["model"]
    sd = model.state_dict()
    names = model.names
    if isinstance(names, dict):
        names = [names[k] for k in sorted(names)]
    _write("yolov5n.fixture.json", {
        "source": "yolov5n.pt",
        "epoch": ckpt.get("epoch"),
        "date": ckpt.get("date"),
        "nc": model.yaml["nc"],
        "names": list(names),
        "stride": [float(s) for s in model.stride.tolist()],
        "yaml_keys": sorted(model.yaml.keys()),
        "tensors": [_record(k, v) for k, v in sd.items()],
    })


# --- Tiny ViTs -------------------------------------------------------------------------------

D, P, TOKENS, MLP, CLASSES, LAYERS = 8, 4, 5, 16, 3, 2  # 8x8 image -> 4 patches + class token


def torchvision_vit():
    g = torch.Generator().manual_seed(1234)
    r = lambda *s: torch.randn(*s, generator=g)
    sd = collections.OrderedDict()
    sd["class_token"] = r(1, 1, D)
    sd["conv_proj.weight"] = r(D, 3, P, P)
    sd["conv_proj.bias"] = r(D)
    sd["encoder.pos_embedding"] = r(1, TOKENS, D)
    for i in range(LAYERS):
        p = f"encoder.layers.encoder_layer_{i}."
        sd[p + "ln_1.weight"] = r(D)
        sd[p + "ln_1.bias"] = r(D)
        sd[p + "self_attention.in_proj_weight"] = r(3 * D, D)
        # A view into a larger storage: non-zero storage offset, storage shared with nothing else.
        sd[p + "self_attention.in_proj_bias"] = r(3 * D + 5)[5:]
        sd[p + "self_attention.out_proj.weight"] = r(D, D)
        sd[p + "self_attention.out_proj.bias"] = r(D)
        sd[p + "ln_2.weight"] = r(D)
        sd[p + "ln_2.bias"] = r(D)
        sd[p + "mlp.0.weight"] = r(MLP, D)
        sd[p + "mlp.0.bias"] = r(MLP)
        sd[p + "mlp.3.weight"] = r(D, MLP)
        sd[p + "mlp.3.bias"] = r(D)
    sd["encoder.ln.weight"] = r(D)
    sd["encoder.ln.bias"] = r(D)
    # A transposed view: torch.save keeps its strides, so the file holds a non-contiguous tensor.
    sd["heads.head.weight"] = r(D, CLASSES).t()
    sd["heads.head.bias"] = r(CLASSES)
    assert not sd["heads.head.weight"].is_contiguous()
    return sd


def timm_vit():
    g = torch.Generator().manual_seed(5678)
    r = lambda *s: torch.randn(*s, generator=g)
    sd = collections.OrderedDict()
    sd["cls_token"] = r(1, 1, D)
    sd["pos_embed"] = r(1, TOKENS, D).to(torch.bfloat16)
    sd["patch_embed.proj.weight"] = r(D, 3, P, P)
    sd["patch_embed.proj.bias"] = r(D)
    for i in range(LAYERS):
        p = f"blocks.{i}."
        sd[p + "norm1.weight"] = r(D)
        sd[p + "norm1.bias"] = r(D)
        sd[p + "attn.qkv.weight"] = r(3 * D, D)
        sd[p + "attn.qkv.bias"] = r(3 * D)
        sd[p + "attn.proj.weight"] = r(D, D)
        sd[p + "attn.proj.bias"] = r(D)
        sd[p + "norm2.weight"] = r(D)
        sd[p + "norm2.bias"] = r(D)
        sd[p + "mlp.fc1.weight"] = r(MLP, D)
        sd[p + "mlp.fc1.bias"] = r(MLP)
        sd[p + "mlp.fc2.weight"] = r(D, MLP)
        sd[p + "mlp.fc2.bias"] = r(D)
    sd["norm.weight"] = r(D)
    sd["norm.bias"] = r(D)
    # Non-contiguous, with a step: every other column of a wider matrix.
    sd["head.weight"] = r(CLASSES, 2 * D)[:, ::2]
    sd["head.bias"] = r(CLASSES)
    assert not sd["head.weight"].is_contiguous()
    return sd


def vit_fixtures():
    tv = torchvision_vit()
    torch.save({"model": tv, "epoch": 7}, os.path.join(OUT, "vit_torchvision_tiny.pt"))
    tm = timm_vit()
    torch.save(tm, os.path.join(OUT, "vit_timm_tiny.pt"))
    for stem, path in (("vit_torchvision_tiny", "vit_torchvision_tiny.pt"), ("vit_timm_tiny", "vit_timm_tiny.pt")):
        loaded = torch.load(os.path.join(OUT, path), map_location="cpu")
        sd = loaded["model"] if "model" in loaded else loaded
        _write(stem + ".fixture.json", {"source": path, "tensors": [_record(k, v) for k, v in sd.items()]})


def numpy_checkpoint():
    import numpy as np
    g = torch.Generator().manual_seed(42)
    sd = collections.OrderedDict()
    sd["conv.weight"] = torch.randn(4, 3, 3, 3, generator=g).half()
    sd["conv.bias"] = torch.randn(4, generator=g).half()
    path = os.path.join(OUT, "training_numpy.pt")
    torch.save({"epoch": 3, "best_fitness": np.array([0.25]), "lr": np.float64(0.01),
                "model": sd, "optimizer": None}, path)
    loaded = torch.load(path, map_location="cpu")
    _write("training_numpy.fixture.json", {"source": "training_numpy.pt", "epoch": loaded["epoch"],
                                           "tensors": [_record(k, v) for k, v in loaded["model"].items()]})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    if not os.path.exists(YOLO):
        sys.exit(f"missing {YOLO}")
    yolo_fixture()
    vit_fixtures()
    numpy_checkpoint()
