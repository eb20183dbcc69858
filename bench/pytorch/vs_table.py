"""Markdown table of bench/vs-pytorch.sh: PyTorch's e2e.py JSON next to NativeCam's `bench -- e2e` JSON.

Run: python3 bench/pytorch/vs_table.py PYTORCH.json NATIVECAM.json MACHINE_LINE [NOTE...]
One table per NativeCam device; ratio = NativeCam median / PyTorch median (lower is better for NativeCam).
"""
import json
import sys

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


def main():
    pt_path, nc_path, machine, *notes = sys.argv[1:]
    with open(pt_path) as f:
        pt = json.load(f)
    with open(nc_path) as f:
        nc = json.load(f)
    out = [f"Machine: {machine}.",
           f"PyTorch {pt['torch']} (Debian python3-torch), torchvision {pt['torchvision']}, {pt['threads']} threads, "
           f"BLAS: {', '.join(pt['blas']) or 'none mapped'}; oneDNN (mkldnn) {'on' if pt['mkldnn'] else 'off'}. "
           f"NativeCam on {nc['runtime']}. Each side: one warm-up run per work, then the median of "
           f"{pt['repeats']} runs (PyTorch)."]
    out += [n for n in notes if n]
    for device in nc["devices"]:
        out += ["", f"NativeCam `--device {device['device']}` ({device['description']}), median of {device['repeats']} runs:", ""]
        out += table(pt, device)
        if pt.get("detections") != device.get("detections") and "detect_cam" in device["works"]:
            out.append(f"\nWARNING: PyTorch found {pt.get('detections')} detections, NativeCam {device.get('detections')}.")
    print("\n".join(out))


if __name__ == "__main__":
    main()
