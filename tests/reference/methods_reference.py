"""Reference for the gradient methods and smoothing flags of src/Cam (FullGrad, eigen_smooth, Integrated Gradients,
SmoothGrad, the noise tunnel around Grad-CAM) on three classifiers of classifiers_reference.py.

- FullGrad and eigen_smooth: pytorch-grad-cam 1.5.5 itself (PYTHONPATH=/tmp/pgc, commit 084273b), imported from outside
  the repository. FullGrad: its final maps [K, H, W] (cam(...) output). eigen_smooth: get_cam_image(..., eigen_smooth=True)
  per layer, then the sign rule NativeCam uses for every principal component (scikit-learn's svd_flip: the projection's
  entry of largest magnitude positive; pytorch-grad-cam keeps LAPACK's arbitrary sign), then its ReLU.
- Integrated Gradients and SmoothGrad: Captum is not installed here, so this script codes Captum's documented definitions
  in PyTorch itself: IntegratedGradients(method='gausslegendre', baselines=0): attr = x * sum_i w_i grad(alpha_i x), alphas
  and weights = numpy leggauss mapped to [0, 1] as Captum's approximation_methods does; NoiseTunnel(Saliency) with
  nt_type='smoothgrad': mean over samples of |grad(x + noise)|; NoiseTunnel(LayerGradCam): mean over samples of
  ReLU(sum_c mean_p(G) A). Maps as visualize_image_attr's default: |sum over colour channels|. The noise is NativeCam's
  documented generator (SplitMix64 + Box-Muller cosine, src/Cam/NoiseStream.cs), re-coded below, so both sides add
  the same noise.
- aug_smooth: pytorch-grad-cam's GradCAM(...)(..., aug_smooth=True) with the real ttach (qubvel/ttach at 94e579e,
  unpacked outside the repository and put before /tmp/pgc's import-only stand-in: TTACH=/tmp/ttach_real, default).
- Multi-layer fusion: pytorch-grad-cam's own aggregate_multi_layers (GradCAM with two target layers, its cam(...) output)
  for 'mean'; for 'layercam', pytorch-grad-cam's raw LayerCAM maps of the two layers fused by torchcam's own
  LayerCAM._normalize then LayerCAM.fuse_cams, as its compute_cams and fuse_cams run (frgfm/torch-cam at f44afef, unpacked outside the repository: TORCHCAM=/tmp/torchcam, default)
  at the input's size.
- FullGrad on yolov5n: our PyTorch YOLOv5 (yolov5_reference.py) at the 160x128 input and the three class-logit targets
  of tests/fixtures/cam (as cam_reference.py). pytorch-grad-cam 1.5.5's FullGrad itself cannot run on YOLOv5: it pairs
  its bias list (module order) with its gradient list (the order the backward sweep reaches the modules), and on
  YOLOv5's C3 branches those differ (it raises "operands could not be broadcast together"). So this computes
  FullGrad.compute_cam_per_layer's arithmetic with pytorch-grad-cam's own functions (get_bias_data,
  scale_accross_batch_and_channels, scale_cam_image) on each module's own gradient; written to
  methods/yolov5n_fullgrad.json.
Models in float64, loaded from the classifier fixtures' own state dicts and inputs; the first case's layer and classes.
Run: cd tests/reference && PYTHONPATH=/tmp/pgc /usr/bin/python3 methods_reference.py
(ttach: git --git-dir=<mirror of qubvel/ttach> archive 94e579e ttach | tar -x -C /tmp/ttach_real)
(torchcam: git --git-dir=<mirror of frgfm/torch-cam> archive f44afef torchcam | tar -x -C /tmp/torchcam)
"""
import importlib.metadata
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.environ.get("TTACH", "/tmp/ttach_real"))  # the real ttach, not pytorch-grad-cam's stand-in

from classifiers_reference import MODELS, OUT as CLASSIFIERS, compact
from fixture_io import FIXTURES
from pytorch_grad_cam import FullGrad, GradCAM, LayerCAM
from pytorch_grad_cam.utils.model_targets import ClassifierOutputTarget

NAMES = ["resnet_basic", "mobilenet_v2_025", "vgg_small"]
FUSED_LAYERS = {"resnet_basic": ["layer3", "layer4"], "mobilenet_v2_025": ["features.14", "features.18"], "vgg_small": ["features.9", "features.13"]}


def torchcam_layercam():
    """torchcam's LayerCAM class, imported from its source tree (it reads its own version from package metadata, which
    an unpacked tree has not: that one lookup is answered here)."""
    sys.path.insert(0, os.environ.get("TORCHCAM", "/tmp/torchcam"))
    version = importlib.metadata.version
    importlib.metadata.version = lambda name: "0+f44afef" if name == "torchcam" else version(name)
    from torchcam.methods import LayerCAM as TorchcamLayerCAM
    return TorchcamLayerCAM
OUT = os.path.join(FIXTURES, "methods")
IG_STEPS = 8
SAMPLES, SIGMA, SEED = 4, 0.15, 7
MASK = (1 << 64) - 1


class NoiseStream:
    """src/Cam/NoiseStream.cs: SplitMix64; u = (next >> 11) * 2^-53; z = sqrt(-2 ln(1 - u1)) cos(2 pi u2)."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def uniform(self):
        return (self.next() >> 11) * (1.0 / (1 << 53))

    def normal(self):
        u1, u2 = self.uniform(), self.uniform()
        return math.sqrt(-2 * math.log(1 - u1)) * math.cos(2 * math.pi * u2)


def noisy_copies(x, samples, sigma, seed):
    """The noise tunnel's inputs as NativeCam draws them: x + N(0, (sigma * (max x - min x))^2), rounded to float32."""
    flat = x.reshape(-1).float().numpy()
    std = sigma * float(np.float32(flat.max()) - np.float32(flat.min()))
    stream = NoiseStream(seed)
    for _ in range(samples):
        noise = np.array([stream.normal() for _ in range(flat.size)])
        yield torch.from_numpy(np.float32(flat.astype(np.float64) + std * noise).astype(np.float64)).reshape(x.shape)


def input_grads(model, x, classes):
    """d logit_c / dx for each class: [K, 3, H, W]."""
    x = x.clone().requires_grad_(True)
    logits = model(x)[0]
    return torch.stack([torch.autograd.grad(logits[c], x, retain_graph=True)[0][0] for c in classes])


def integrated_gradients(model, x, classes, steps):
    t, w = np.polynomial.legendre.leggauss(steps)
    alphas, weights = 0.5 * (1 + t), 0.5 * w
    total = sum(float(wi) * input_grads(model, float(a) * x, classes) for a, wi in zip(alphas, weights))
    return (total * x).sum(dim=1).abs()


def smoothgrad(model, x, classes):
    grads = [input_grads(model, n, classes).abs() for n in noisy_copies(x, SAMPLES, SIGMA, SEED)]
    return (sum(grads) / SAMPLES).sum(dim=1)


def tunnel_gradcam(model, x, classes, layer):
    """Captum's NoiseTunnel(LayerGradCam) at `layer`: mean over the noisy copies of ReLU(sum_c mean_p(G_c) A_c)."""
    module = dict(model.named_modules())[layer]
    maps = []
    for n in noisy_copies(x, SAMPLES, SIGMA, SEED):
        store = {}
        handle = module.register_forward_hook(lambda m, i, o: store.__setitem__("a", o))
        logits = model(n)[0]
        handle.remove()
        a = store["a"]
        per = []
        for c in classes:
            g = torch.autograd.grad(logits[c], a, retain_graph=True)[0][0]
            per.append(torch.relu((g.mean(dim=(1, 2))[:, None, None] * a[0]).sum(0)))
        maps.append(torch.stack(per))
    return sum(maps) / SAMPLES


def fullgrad(model, x, classes):
    batch = x.repeat(len(classes), 1, 1, 1)
    with FullGrad(model=model, target_layers=[]) as cam:
        return torch.from_numpy(cam(input_tensor=batch, targets=[ClassifierOutputTarget(c) for c in classes]))


def eigen_smooth(make, model, x, layer, classes):
    """pytorch-grad-cam's raw eigen_smooth map at `layer` [K, h, w], with NativeCam's sign rule, ReLU'd."""
    modules = dict(model.named_modules())
    batch = x.repeat(len(classes), 1, 1, 1)
    targets = [ClassifierOutputTarget(c) for c in classes]
    with make(model=model, target_layers=[modules[layer]]) as cam:
        cam(input_tensor=batch, targets=targets)
        a = cam.activations_and_grads.activations[0].numpy()
        g = cam.activations_and_grads.gradients[0].numpy()
        projection = cam.get_cam_image(batch, modules[layer], targets, a, g, eigen_smooth=True)
    flipped = []
    for p in projection:
        flat = p.reshape(-1)
        flipped.append(p * (1 if flat[np.argmax(np.abs(flat))] >= 0 else -1))
    return np.maximum(np.array(flipped), 0)


def raw_layer_maps(make, model, x, layers, classes):
    """pytorch-grad-cam's raw ReLU'd maps per layer [K, h, w]."""
    modules = dict(model.named_modules())
    batch = x.repeat(len(classes), 1, 1, 1)
    targets = [ClassifierOutputTarget(c) for c in classes]
    with make(model=model, target_layers=[modules[n] for n in layers]) as cam:
        final = cam(input_tensor=batch, targets=targets)
        acts = [a.numpy() for a in cam.activations_and_grads.activations]
        grads = [g.numpy() for g in cam.activations_and_grads.gradients]
        raw = [np.maximum(cam.get_cam_image(batch, modules[n], targets, acts[i], grads[i], False), 0) for i, n in enumerate(layers)]
    return final, raw


def fusion(model, x, classes, layers):
    mean, _ = raw_layer_maps(GradCAM, model, x, layers, classes)
    _, raw = raw_layer_maps(LayerCAM, model, x, layers, classes)
    layercam = torchcam_layercam()
    # torchcam normalises each layer's CAM (compute_cams(normalized=True), its _normalize) before fusing them
    fused = layercam.fuse_cams([layercam._normalize(torch.from_numpy(r)) for r in raw], tuple(x.shape[2:]))
    return {"layers": layers, "mean_gradcam": compact(torch.from_numpy(mean), 7), "layercam_layercam": compact(fused, 7)}


def aug_smooth(model, x, layer, classes):
    """pytorch-grad-cam's GradCAM at `layer` with aug_smooth=True: its final maps [K, H, W]."""
    import ttach
    assert hasattr(ttach.Compose([ttach.HorizontalFlip()]), "__iter__") and "ttach_real" in ttach.__file__, ttach.__file__
    batch = x.repeat(len(classes), 1, 1, 1)
    with GradCAM(model=model, target_layers=[dict(model.named_modules())[layer]]) as cam:
        return torch.from_numpy(cam(input_tensor=batch, targets=[ClassifierOutputTarget(c) for c in classes], aug_smooth=True))


def yolo_fullgrad():
    """FullGrad of yolov5n's three targets with each bias paired with its own module's gradient: [K, H, W]."""
    from pytorch_grad_cam.utils.image import scale_accross_batch_and_channels, scale_cam_image
    from yolov5_reference import build, ROOT
    model, _, _ = build(os.path.join(ROOT, "samples", "yolov5n.pt"))
    model = model.double().eval()
    targets = json.load(open(os.path.join(FIXTURES, "cam", "yolov5n_cam.json")))["targets"]
    x = torch.from_numpy(np.load(os.path.join(FIXTURES, "yolo", "yolov5n_input.npy")).astype(np.float64))
    biased = [m for m in model.modules() if type(m) in (torch.nn.Conv2d, torch.nn.BatchNorm2d) and m.bias is not None]
    outputs = {}
    hooks = [m.register_forward_hook(lambda m, i, o: outputs.__setitem__(m, o)) for m in biased]
    x = x.clone().requires_grad_(True)
    outs = model(x)
    for h in hooks:
        h.remove()
    maps = []
    size = (x.shape[3], x.shape[2])  # cv2's (width, height)
    for t in targets:
        score = outs[t["level"]][0, t["channel"], t["y"], t["x"]]
        grads = torch.autograd.grad(score, [x] + [outputs[m] for m in biased], retain_graph=True, allow_unused=True)
        gx = grads[0].numpy()
        parts = [scale_accross_batch_and_channels(np.abs(gx * x.detach().numpy()), size)]
        for m, g in zip(biased, grads[1:]):
            g = np.zeros(outputs[m].shape) if g is None else g.numpy()
            bias = FullGrad.get_bias_data(None, m).numpy()[None, :, None, None]
            parts.append(scale_accross_batch_and_channels(np.abs(bias * g), size).sum(axis=1)[:, None])
        maps.append(scale_cam_image(np.concatenate(parts, axis=1).sum(axis=1))[0])
    maps = np.stack(maps)
    with open(os.path.join(OUT, "yolov5n_fullgrad.json"), "w") as f:
        json.dump({"generator": "tests/reference/methods_reference.py (pytorch-grad-cam 1.5.5's FullGrad arithmetic, float64)",
                   "fullgrad": compact(torch.from_numpy(maps), 5)}, f)  # 5 digits: 1e-5 of a [0, 1] map
    print("yolov5n fullgrad", maps.shape, float(maps.max()), len(biased), "bias layers")


def main():
    os.makedirs(OUT, exist_ok=True)
    builders = {name: build for name, build, _, _ in MODELS}
    for name in NAMES:
        fixture = json.load(open(os.path.join(CLASSIFIERS, name + ".json")))
        model = builders[name]()
        model.load_state_dict(torch.load(os.path.join(CLASSIFIERS, name + ".pt")))
        model = model.double().eval()
        x = torch.tensor(fixture["input"]["data"], dtype=torch.float64).reshape(fixture["input"]["shape"])
        case = fixture["cases"][0]
        layer, classes = case["layers"][0], case["classes"]
        result = {
            "generator": "tests/reference/methods_reference.py (PyTorch %s, pytorch-grad-cam 1.5.5, float64)" % torch.__version__,
            "layer": layer, "classes": classes,
            "fullgrad": compact(fullgrad(model, x, classes), 7),
            "eigen_smooth": {m: compact(torch.from_numpy(eigen_smooth(make, model, x, layer, classes)), 7)
                             for m, make in (("gradcam", GradCAM), ("layercam", LayerCAM))},
            "integrated_gradients": {"steps": IG_STEPS, "map": compact(integrated_gradients(model, x, classes, IG_STEPS), 7)},
            "smoothgrad": {"samples": SAMPLES, "sigma": SIGMA, "seed": SEED, "map": compact(smoothgrad(model, x, classes), 7),
                           "gradcam": compact(tunnel_gradcam(model, x, classes, layer), 7)},
            "fusion": fusion(model, x, classes, FUSED_LAYERS[name]),
            "aug_smooth": {"gradcam": compact(aug_smooth(model, x, layer, classes), 7)},
        }
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(result, f)
        print(name, layer, classes, {k: round(float(np.max(v["data"])), 5) for k, v in
                                     [("fullgrad", result["fullgrad"]), ("ig", result["integrated_gradients"]["map"]),
                                      ("smoothgrad", result["smoothgrad"]["map"])]})


if __name__ == "__main__":
    main()
    yolo_fullgrad()
