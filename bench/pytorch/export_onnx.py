"""Exports the benchmark models of bench/vs-ort.sh to ONNX with Debian's torch 1.13 (opset 14), into bench/onnx/.

The ONNX files are build artefacts (bench/onnx/ is git-ignored); this script makes them. Per model it writes:
  <name>.onnx          the network, fixed shapes, float32, exported from eval mode under no_grad
  <name>.input.bin     the input it was exported and checked with (raw little-endian float32)
  <name>.out<i>.bin    PyTorch's outputs for that input (raw float32)
  resnet50.pt, mobilenet_v2.pt   the seeded torchvision state dicts, so NativeCam runs the very same weights
  yolov8n.pt, yolo11n.pt         the Ultralytics models as a training run saves them (fp16), for the same reason
  manifest.json        per model: the files, input and output shapes, and the forward's FLOP count (2 per
                       multiply-add of every convolution, linear layer and attention product; elementwise work not
                       counted), which the bench turns into GFLOP/s and % of the measured peak
Debian has no onnxruntime for Python, so the outputs are checked against PyTorch's by ONNX Runtime itself through
the bench (`dotnet bench/bin/Release/net10.0/NativeCam.Bench.dll ort-check`: max abs diff per output, fails above
the tolerance); bench/vs-ort.sh runs this script, then that check, then the timing.

The models (the same as bench/pytorch/e2e.py and `bench -- e2e` time):
  yolov5n       samples/yolov5n.pt through the repository's reference module (tests/reference/yolov5_reference.py,
                the checkpoint read as data), Conv+BN fused; input samples/bus.jpg letterboxed like detect.py
                (640x480); outputs the three raw Detect levels
  yolov5s       the same yaml with width_multiple 0.50 and PyTorch's init after torch.manual_seed(1), fused
  vit_b16       torchvision vit_b_16, random init after torch.manual_seed(0) (the zero-initialised head drawn from
                N(0, 0.02)), input torch.rand(1, 3, 224, 224)
  resnet50      torchvision resnet50, random init after torch.manual_seed(0), BatchNorm parameters and statistics
                randomised (generator seed 1), input randn(1, 3, 224, 224)
  mobilenet_v2  torchvision mobilenet_v2, the same
  yolov8n       Ultralytics' yolov8.yaml at scale n, 80 classes, built by the official code (ULTRALYTICS=DIR holding
                its package; bench/pytorch/ultralytics_models.py), seeded, BatchNorm calibrated on bus.jpg + zidane.jpg,
                saved as training saves it (yolov8n.pt, read by NativeCam), fused; input bus.jpg letterboxed as
                predict does (640x480); outputs the three raw Detect levels
  yolo11n       the same with yolo11.yaml (yolo11n.pt)
                (without ULTRALYTICS these two are skipped with a note, and `bench -- vs-ort` leaves their works out)

Run: /usr/bin/python3 bench/pytorch/export_onnx.py [--out bench/onnx] [--models a,b]
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
from e2e import bus_input, fuse  # noqa: E402
from yolov5_reference import Model, build  # noqa: E402

OPSET = 14
ULTRALYTICS_MODELS = ["yolov8n", "yolo11n"]
MODELS = ["yolov5n", "yolov5s", "vit_b16", "resnet50", "mobilenet_v2"] + ULTRALYTICS_MODELS


def count_flops(model, x):
    """FLOPs of one forward: 2 per multiply-add of Conv2d, Linear and nn.MultiheadAttention (its in-projection,
    the two attention products and its out-projection; torchvision's ViT calls the functional form, so the
    module's own hook counts it)."""
    total = [0]

    def conv(m, inputs, out):
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear(m, inputs, out):
        total[0] += 2 * out.numel() * m.in_features

    def attention(m, inputs, out):
        q = out[0]  # the attention output has the query's shape, [N, L, E] (batch_first) or [L, N, E] (ViT calls
        # the module with keyword arguments, which torch 1.13's hooks do not see)
        tokens, width = q.shape[0] * q.shape[1], q.shape[2]
        length = q.shape[1] if m.batch_first else q.shape[0]
        # q, k, v projections + q·kᵀ and attn·v over every head + the out-projection
        total[0] += 2 * tokens * width * 3 * width + 2 * 2 * tokens * length * width + 2 * tokens * width * width

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv))
        elif isinstance(m, nn.MultiheadAttention):
            handles.append(m.register_forward_hook(attention))
        elif isinstance(m, nn.Linear) and not isinstance(m, nn.modules.linear.NonDynamicallyQuantizableLinear):
            handles.append(m.register_forward_hook(linear))
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total[0]


def make(name):
    """(model in eval mode, input, extra files to save {file: state dict})."""
    if name in ULTRALYTICS_MODELS:  # the official Ultralytics code, imported from ULTRALYTICS
        import ultralytics_models
        return ultralytics_models.make(name)
    weights = os.path.join(ROOT, "samples", "yolov5n.pt")
    if name == "yolov5n":
        model, _, _ = build(weights)
        return fuse(model), bus_input(), {}
    if name == "yolov5s":
        _, cfg, _ = build(weights)
        torch.manual_seed(1)
        return fuse(Model(dict(cfg, width_multiple=0.50)).eval()), bus_input(), {}
    torch.manual_seed(0)
    if name == "vit_b16":
        model = torchvision.models.vit_b_16(weights=None).eval()
        with torch.no_grad():  # torchvision zero-initialises the head: all-zero logits would check nothing
            model.heads.head.weight.normal_(0, 0.02)
        return model, torch.rand(1, 3, 224, 224), {}
    model = getattr(torchvision.models, name)(weights=None).eval()
    randomise_batchnorm(model, torch.Generator().manual_seed(1))
    return model, torch.randn(1, 3, 224, 224), {f"{name}.pt": model.state_dict()}


def randomise_batchnorm(model, gen):
    """Random BatchNorm affine parameters and statistics (as tests/reference/classifiers_reference.py does): with
    the init's identity BatchNorms, mobilenet_v2's logits are ~1e-3 and check little."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.rand(n, generator=gen) + 0.5)
                m.bias.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
                m.running_mean.copy_(torch.rand(n, generator=gen) * 0.4 - 0.2)
                m.running_var.copy_(torch.rand(n, generator=gen) + 0.5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "onnx"))
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(2)
    manifest_path = os.path.join(args.out, "manifest.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    manifest.update({"torch": torch.__version__, "torchvision": torchvision.__version__, "opset": OPSET})
    models = manifest.setdefault("models", {})
    for name in [m for m in args.models.split(",") if m]:
        try:
            model, x, extra = make(name)
        except ImportError as e:
            if name not in ULTRALYTICS_MODELS:
                raise
            print(f"{name:<13} skipped: the ultralytics package is not importable ({e}); set ULTRALYTICS=DIR holding it",
                  file=sys.stderr)
            continue
        # nn.MultiheadAttention's inference fast path (aten::_native_multi_head_attention) has no ONNX symbolic in
        # torch 1.13; it is skipped while grad is on and the weights require grad, so ViT is traced that way.
        traced_with_grad = name == "vit_b16"
        for p in model.parameters():
            p.requires_grad_(traced_with_grad)
        with torch.no_grad():
            out = model(x)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        output_names = [f"out{i}" for i in range(len(outs))]
        path = os.path.join(args.out, f"{name}.onnx")
        with torch.set_grad_enabled(traced_with_grad):
            torch.onnx.export(model, x, path, opset_version=OPSET, input_names=["input"], output_names=output_names,
                              do_constant_folding=True)
        x.numpy().astype("<f4").tofile(os.path.join(args.out, f"{name}.input.bin"))
        for i, o in enumerate(outs):
            o.numpy().astype("<f4").tofile(os.path.join(args.out, f"{name}.out{i}.bin"))
        for file, state in extra.items():
            torch.save(state, os.path.join(args.out, file))
        flops = count_flops(model, x)
        models[name] = {
            "onnx": f"{name}.onnx", "input": list(x.shape), "input_file": f"{name}.input.bin",
            "outputs": {n: list(o.shape) for n, o in zip(output_names, outs)},
            "output_files": [f"{name}.out{i}.bin" for i in range(len(outs))],
            "state_dict": next(iter(extra), None), "flops": flops,
        }
        print(f"{name:<13} {os.path.getsize(path) / 2**20:7.1f} MiB  input {list(x.shape)}  "
              f"outputs {[list(o.shape) for o in outs]}  {flops / 1e9:.2f} GFLOP", file=sys.stderr)
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
