"""PyTorch side of bench/vs-pytorch.sh: the end-to-end work that `dotnet run -c Release --project bench -- e2e` times.

Same work, same timing as NativeCam's side: CPU, float32, torch.set_num_threads(2), one warm-up run, then N runs
timed with perf_counter, median. The networks are the repository's own reference modules
(tests/reference/yolov5_reference.py builds YOLOv5 from the official checkpoint read as data) and torchvision's
vit_b_16 (random init).

  yolov5n_forward       official yolov5n on samples/bus.jpg letterboxed like detect.py (cv2, 640, stride 32: 640x480),
                        Conv+BatchNorm fused as detect.py's loader does, under no_grad (NativeCam folds BN too)
  yolov5s_forward       the same with the v5s yaml's widths (width_multiple 0.50) and random weights (PyTorch's init)
  detect_cam            the seed tools' per-detection Grad-CAM loop with yolov5n, as their loader leaves the model
                        (unfused, weights requiring grad): one forward with hooks at model.17/20/23.cv3.act, decode +
                        NMS (conf 0.25, IoU 0.45), then per detection model.zero_grad() and one backward of its raw
                        class logit at its anchor cell with retain_graph=True, and Grad-CAM at the 3 layers
                        (channel weights = spatial mean of the gradient, weighted sum of the activations, ReLU)
  detect_cam_lean       the same loop as cheap as PyTorch makes it (for information; the target is against
                        detect_cam): BN fused, weights frozen, torch.autograd.grad of each logit to the 3 activations
  vit_forward           ViT-B/16 at 224 under no_grad
  vit_forward_backward  forward + full backward of one class logit: every weight's gradient (set to None first)
  resnet50_forward, mobilenet_v2_forward
                        torchvision's model with the seeded state dict and input bench/pytorch/export_onnx.py saved in
                        bench/onnx/ (the weights NativeCam and ONNX Runtime run), under no_grad
  resnet50_gradcam_1    pytorch-grad-cam 1.5.5's GradCAM on that resnet50 at model.layer4[-1], as its README uses it
                        (weights as loaded, requiring grad; the GradCAM object built once): one call, targets=None (the
                        top class), on the prepared bus.jpg (tests/fixtures/classifiers/bus_224.npy); needs
                        pytorch-grad-cam on PYTHONPATH (bench/README.md)
  resnet50_gradcam_5    the top 5 classes the way pytorch-grad-cam explains several classes of one image: 5 calls,
                        one ClassifierOutputTarget each
  resnet50_gradcam_5_batch  for information: one call on a batch of 5 copies with the 5 targets (its K-class
                        batching, 5x the forward)
  resnet50_scorecam     pytorch-grad-cam 1.5.5's ScoreCAM at model.layer4[-1], targets=None (the top class), its default
                        batch of 16 masked inputs per forward (2048 channels: 128 forwards)
  resnet50_ablationcam  pytorch-grad-cam 1.5.5's AblationCAM at model.layer4[-1], targets=None, its defaults (batch 32,
                        every channel ablated: 2048 ablations in 64 forwards of the whole network)

Run: /usr/bin/python3 bench/pytorch/e2e.py [repeats] [--works a,b] [--out FILE]   (Debian's torch 1.13)
Prints JSON: per work the median, the warm-up and the runs in ms; the BLAS library the process loaded; peak RSS.
"""
import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torch.nn.utils.fusion import fuse_conv_bn_eval

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
from yolo_io_reference import decode, letterbox, nms  # noqa: E402
from yolov5_reference import Conv, Model, build  # noqa: E402

LAYERS = ["model.17.cv3.act", "model.20.cv3.act", "model.23.cv3.act"]
WORKS = ["yolov5n_forward", "yolov5s_forward", "detect_cam", "detect_cam_lean", "vit_forward", "vit_forward_backward"]
CLASSIFIER_WORKS = ["resnet50_forward", "mobilenet_v2_forward", "resnet50_gradcam_1", "resnet50_gradcam_5",
                    "resnet50_gradcam_5_batch", "resnet50_scorecam", "resnet50_ablationcam"]  # need bench/onnx (and pytorch-grad-cam): named with --works


def measure(fn, repeats):
    """One warm-up run, then `repeats` timed runs (ms)."""
    t = time.perf_counter()
    fn()
    warmup = (time.perf_counter() - t) * 1e3
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t) * 1e3)
    return {"median_ms": round(statistics.median(runs) if runs else warmup, 2), "warmup_ms": round(warmup, 2),
            "runs_ms": [round(v, 2) for v in runs]}


def bus_input(size=640):
    """detect.py's preprocessing: cv2.imread (BGR), letterbox (auto, stride 32), BGR to RGB, CHW, /255."""
    im0 = cv2.imread(os.path.join(ROOT, "samples", "bus.jpg"))
    im = letterbox(im0, (size, size))[0]
    return torch.from_numpy(np.ascontiguousarray(im[:, :, ::-1].transpose(2, 0, 1))).float()[None] / 255.0


def fuse(model):
    """Folds every Conv's BatchNorm into its convolution (YOLOv5's Model.fuse()); eval mode."""
    for m in model.modules():
        if isinstance(m, Conv) and isinstance(m.bn, nn.BatchNorm2d):
            m.conv = fuse_conv_bn_eval(m.conv, m.bn)
            m.bn = nn.Identity()
    return model


def yolo_forward(model, x):
    def run():
        with torch.no_grad():
            model(x)
    return run


def grad_cam(activation, gradient):
    """[1, C, h, w] activation and gradient -> [h, w] map: ReLU(sum_c mean_hw(gradient)_c * activation_c)."""
    weights = gradient.mean(dim=(2, 3), keepdim=True)
    return F.relu((weights * activation).sum(dim=1))[0]


def hook_layers(model, acts, grads):
    """Forward hooks at the watched layers: keep each output, and catch its gradient with a tensor hook."""
    def hook(name):
        def save(module, inputs, output):
            acts[name] = output
            if output.requires_grad:
                output.register_hook(lambda g: grads.__setitem__(name, g))
        return save
    return [model.get_submodule(name).register_forward_hook(hook(name)) for name in LAYERS]


def detections(model, outs, nc):
    """(level, channel, y, x) of the class logit of every detection after NMS, in NMS order."""
    pred, index, _ = decode([o.detach().numpy() for o in outs], nc)
    det = nms(pred, 0.25, 0.45)
    cells = []
    for k in range(det.shape[0]):
        cls, row = int(det[k, 5]), int(det[k, 6])
        level, anchor, gy, gx = (int(v) for v in index[row])
        cells.append((level, anchor * (nc + 5) + 5 + cls, gy, gx))
    return cells


def seed_loop(model, x, nc, found):
    """The seed tools' loop: forward once, then per detection zero_grad + backward(retain_graph) + maps."""
    acts, grads = {}, {}
    handles = hook_layers(model, acts, grads)

    def run():
        outs = model(x)
        cells = detections(model, outs, nc)
        maps = []
        for level, channel, gy, gx in cells:
            model.zero_grad()
            grads.clear()
            outs[level][0, channel, gy, gx].backward(retain_graph=True)
            with torch.no_grad():
                maps += [grad_cam(acts[n], grads[n]) for n in LAYERS if n in grads]
        found.append(len(cells))
        acts.clear()
        grads.clear()
    return run, handles


def lean_loop(model, x, nc):
    """Per detection torch.autograd.grad to the 3 activations only (weights frozen: no weight gradients)."""
    acts = {}
    handles = [model.get_submodule(n).register_forward_hook(lambda m, i, o, n=n: acts.__setitem__(n, o)) for n in LAYERS]
    xg = x.clone().requires_grad_(True)  # so the activations are part of a graph; autograd.grad prunes to them

    def run():
        outs = model(xg)
        for level, channel, gy, gx in detections(model, outs, nc):
            gs = torch.autograd.grad(outs[level][0, channel, gy, gx], [acts[n] for n in LAYERS],
                                     retain_graph=True, allow_unused=True)
            with torch.no_grad():
                [grad_cam(acts[n], g) for n, g in zip(LAYERS, gs) if g is not None]
        acts.clear()
    return run, handles


def classifier(name):
    """torchvision's `name` with the seeded state dict export_onnx.py saved, and its input (bench/onnx)."""
    folder = os.path.join(ROOT, "bench", "onnx")
    with open(os.path.join(folder, "manifest.json")) as f:
        entry = json.load(f)["models"][name]
    model = getattr(torchvision.models, name)(weights=None).eval()
    model.load_state_dict(torch.load(os.path.join(folder, entry["state_dict"])))
    x = torch.from_numpy(np.fromfile(os.path.join(folder, entry["input_file"]), dtype="<f4").reshape(entry["input"]))
    return model, x


def classifier_forward(model, x):
    def run():
        with torch.no_grad():
            model(x)
    return run


def gradcam_works(model, time_work):
    """pytorch-grad-cam on resnet50 at layer4[-1] for the prepared bus.jpg: top 1, top 5 in 5 calls, and batched;
    ScoreCAM for the top class."""
    from pytorch_grad_cam import GradCAM
    from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget
    x = torch.from_numpy(np.load(os.path.join(ROOT, "tests", "fixtures", "classifiers", "bus_224.npy")))
    with torch.no_grad():
        top5 = model(x)[0].topk(5).indices.tolist()
    with GradCAM(model=model, target_layers=[model.layer4[-1]]) as cam:
        time_work("resnet50_gradcam_1", lambda: cam(input_tensor=x, targets=None))
        time_work("resnet50_gradcam_5", lambda: [cam(input_tensor=x, targets=[ClassifierOutputTarget(c)]) for c in top5])
        batch = x.repeat(5, 1, 1, 1)
        time_work("resnet50_gradcam_5_batch", lambda: cam(input_tensor=batch, targets=[ClassifierOutputTarget(c) for c in top5]))
    from pytorch_grad_cam import ScoreCAM
    with ScoreCAM(model=model, target_layers=[model.layer4[-1]]) as cam:  # no batch_size attribute: its default 16
        time_work("resnet50_scorecam", lambda: cam(input_tensor=x, targets=None))
    from pytorch_grad_cam import AblationCAM
    with AblationCAM(model=model, target_layers=[model.layer4[-1]]) as cam:  # its defaults: batch_size 32, ratio 1.0
        time_work("resnet50_ablationcam", lambda: cam(input_tensor=x, targets=None))


def blas_library():
    """The BLAS shared library this process has mapped (Debian's libblas.so.3 alternative resolves to one)."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in os.path.basename(path).lower():
                libs.add(os.path.realpath(path))
    return sorted(libs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repeats", type=int, nargs="?", default=5)
    parser.add_argument("--works", default=",".join(WORKS))
    parser.add_argument("--out")
    args = parser.parse_args()
    works = [w for w in args.works.split(",") if w]
    unknown = [w for w in works if w not in WORKS + CLASSIFIER_WORKS]
    if unknown:
        parser.error(f"unknown work {unknown[0]} (expected {', '.join(WORKS + CLASSIFIER_WORKS)})")
    torch.set_num_threads(2)
    results, info = {}, {}

    def time_work(name, fn):
        if name in works:
            results[name] = measure(fn, args.repeats)
            print(f"  {name:<22} median {results[name]['median_ms']:10.1f} ms  (warm-up {results[name]['warmup_ms']:.0f} ms;"
                  f" runs {' '.join(f'{v:.0f}' for v in results[name]['runs_ms'])})", file=sys.stderr)

    print(f"e2e on PyTorch {torch.__version__}, {torch.get_num_threads()} threads: 1 warm-up + {args.repeats} runs per work",
          file=sys.stderr)
    x = bus_input()
    info["yolo_input"] = list(x.shape)
    weights = os.path.join(ROOT, "samples", "yolov5n.pt")
    if "yolov5n_forward" in works:
        model, _, _ = build(weights)
        time_work("yolov5n_forward", yolo_forward(fuse(model), x))
    if "yolov5s_forward" in works:
        _, cfg, _ = build(weights)
        torch.manual_seed(1)
        model = Model(dict(cfg, width_multiple=0.50)).eval()
        time_work("yolov5s_forward", yolo_forward(fuse(model), x))
    if "detect_cam" in works:
        model, cfg, _ = build(weights)
        model.requires_grad_(True)
        found = []
        run, handles = seed_loop(model, x, cfg["nc"], found)
        time_work("detect_cam", run)
        info["detections"] = found[0]
        for h in handles:
            h.remove()
    if "detect_cam_lean" in works:
        model, cfg, _ = build(weights)
        model = fuse(model).requires_grad_(False)
        run, handles = lean_loop(model, x, cfg["nc"])
        time_work("detect_cam_lean", run)
    if "vit_forward" in works or "vit_forward_backward" in works:
        torch.manual_seed(0)
        vit = torchvision.models.vit_b_16(weights=None).eval()
        image = torch.rand(1, 3, 224, 224)

        def vit_forward():
            with torch.no_grad():
                vit(image)

        def vit_forward_backward():
            vit.zero_grad(set_to_none=True)
            vit(image)[0, 207].backward()
        time_work("vit_forward", vit_forward)
        time_work("vit_forward_backward", vit_forward_backward)

    for name in ("resnet50", "mobilenet_v2"):
        if f"{name}_forward" in works:
            model, image = classifier(name)
            time_work(f"{name}_forward", classifier_forward(model, image))
    if any(w.startswith("resnet50_gradcam") or w in ("resnet50_scorecam", "resnet50_ablationcam") for w in works):
        gradcam_works(classifier("resnet50")[0], time_work)

    report = {
        "tool": "PyTorch", "torch": torch.__version__, "torchvision": torchvision.__version__,
        "threads": torch.get_num_threads(), "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "repeats": args.repeats,
        "blas": blas_library(), "mkldnn": torch.backends.mkldnn.is_available(),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        **info, "works": results,
    }
    text = json.dumps(report, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
