"""Markdown table of bench/vs-pytorch.sh: PyTorch's e2e.py JSON next to NativeCam's `bench -- e2e` JSON.

Run: python3 bench/pytorch/vs_table.py --pytorch A.json [--pytorch B.json] --nativecam N.json [--nativecam M.json] --machine TEXT [--note TEXT]
With several PyTorch passes (before and after NativeCam's), each work takes the pass with the lower median: the
stricter comparison on a shared machine. One table per NativeCam device; ratio = NativeCam median / PyTorch median.
"""
import argparse
import json

# (NativeCam work, PyTorch work, what it is, target ratio or None)
ROWS = [
    ("yolov5n_forward", "yolov5n_forward", "YOLOv5n forward, 640 (bus.jpg, 640×480)", 1.0),
    ("yolov5s_forward", "yolov5s_forward", "YOLOv5s forward, 640 (v5s widths, random weights)", 1.0),
    ("detect_cam", "detect_cam", "detect-cam compute, bus.jpg, {k} detections × 3 layers, vs the seed tools' "
     "per-detection loop", 0.5),
    ("detect_cam", "detect_cam_lean", "the same vs PyTorch's leanest loop (weights frozen, autograd.grad to the "
     "3 layers; no target)", None),
    ("vit_forward", "vit_forward", "ViT-B/16 forward, 224", None),
    ("vit_forward_backward", "vit_forward_backward", "ViT-B/16 forward + full backward, 224", 1.0),
    ("resnet50_forward", "resnet50_forward", "resnet50 forward, 224 (seeded torchvision weights)", None),
    ("mobilenet_v2_forward", "mobilenet_v2_forward", "mobilenet_v2 forward, 224 (seeded torchvision weights)", None),
    ("resnet50_gradcam_1", "resnet50_gradcam_1", "resnet50 Grad-CAM at layer4, top class, bus.jpg, vs pytorch-grad-cam 1.5.5", 0.5),
    ("resnet50_gradcam_5", "resnet50_gradcam_5", "resnet50 Grad-CAM, top 5 classes: one sweep vs pytorch-grad-cam's 5 calls", 0.2),
    ("resnet50_gradcam_5", "resnet50_gradcam_5_batch", "the same vs one pytorch-grad-cam call on a batch of 5 copies (no target)", None),
    ("resnet50_scorecam", "resnet50_scorecam", "resnet50 Score-CAM at layer4, top class, vs pytorch-grad-cam's ScoreCAM (batch 16)", 0.3),
    ("resnet50_ablationcam", "resnet50_ablationcam", "resnet50 Ablation-CAM at layer4, top class, vs pytorch-grad-cam's AblationCAM (batch 32)", 0.2),
]


def ms(v):
    return f"{v / 1000:.2f} s" if v >= 1000 else f"{v:.1f} ms"


def table(pt, device):
    k = device.get("detections", "?")
    lines = ["| work | PyTorch median | NativeCam median | ratio | target | met? |", "|---|---:|---:|---:|---:|:---:|"]
    for nc_work, pt_work, label, target in ROWS:
        a, b = pt["works"].get(pt_work), device["works"].get(nc_work)
        if a is None or b is None:
            continue
        ratio = b["median_ms"] / a["median_ms"]
        met = "—" if target is None else ("yes" if ratio <= target else "no")
        lines.append(f"| {label.format(k=k)} | {ms(a['median_ms'])} | {ms(b['median_ms'])} | {ratio:.2f}× | "
                     f"{'—' if target is None else f'≤ {target:.1f}×'} | {met} |")
    return lines


def best_of(passes):
    """The first pass, with each work's timing replaced by the pass whose median is lowest."""
    best = dict(passes[0], works={})
    for p in passes:
        for work, t in p["works"].items():
            if work not in best["works"] or t["median_ms"] < best["works"][work]["median_ms"]:
                best["works"][work] = t
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pytorch", action="append", required=True)
    parser.add_argument("--nativecam", action="append", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--note", action="append", default=[])
    args = parser.parse_args()
    passes = []
    for path in args.pytorch:
        with open(path) as f:
            passes.append(json.load(f))
    pt = best_of(passes)
    nc_passes = []
    for path in args.nativecam:
        with open(path) as f:
            nc_passes.append(json.load(f))
    # Each NativeCam device keeps, per work, its best pass too: both sides get the same chances.
    nc = dict(nc_passes[0], devices=[best_of([p["devices"][i] for p in nc_passes]) for i in range(len(nc_passes[0]["devices"]))])
    machine, notes = args.machine, args.note
    out = [f"Machine: {machine}.",
           f"PyTorch {pt['torch']} (Debian python3-torch), torchvision {pt['torchvision']}, {pt['threads']} threads, "
           f"BLAS: {', '.join(pt['blas']) or 'none mapped'}; oneDNN (mkldnn) {'on' if pt['mkldnn'] else 'off'}. "
           f"NativeCam on {nc['runtime']}. Each side: one warm-up run per work, then the median of "
           f"{pt['repeats']} runs; per work the better of {len(passes)} PyTorch and {len(nc_passes)} NativeCam passes"
           f"{', run alternately' if len(passes) > 1 or len(nc_passes) > 1 else ''}."]
    out += [n for n in notes if n]
    for device in nc["devices"]:
        out += ["", f"NativeCam `--device {device['device']}` ({device['description']}), median of {device['repeats']} runs:", ""]
        out += table(pt, device)
        if pt.get("detections") != device.get("detections") and "detect_cam" in device["works"]:
            out.append(f"\nWARNING: PyTorch found {pt.get('detections')} detections, NativeCam {device.get('detections')}.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
