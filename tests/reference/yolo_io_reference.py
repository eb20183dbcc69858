"""Reference fixtures for NativeCam's YOLOv5 image input and detection output (src/Yolo).

Our own re-statement of what YOLOv5 v6.1 detect.py does around the network, with OpenCV 4.x and
torchvision doing the numeric work (no YOLOv5 code is imported):
  * letterbox: cv2.imread (BGR, EXIF applied) -> cv2.resize INTER_LINEAR -> cv2.copyMakeBorder 114;
  * EXIF: small JPEGs/PNGs carrying each orientation tag, and what cv2.imread makes of them;
  * decoding of a few PNG/BMP flavours, a PNG named .jpg, a text file named .jpg;
  * Detect decoding + non_max_suppression (v6.1 rules, torchvision.ops.nms) on the yolov5n fixture
    outputs and on a synthetic case with many overlapping boxes of two classes.

Images are stored losslessly as PNG (cv2.imwrite); arrays as float32 .npy; numbers in yolo_io.json.
Run: cd tests/reference && /usr/bin/python3 yolo_io_reference.py
"""
import json
import os

import cv2
import numpy as np
import torch
import torchvision
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(HERE, "..", "fixtures", "yolo_io")
YOLO = os.path.join(HERE, "..", "fixtures", "yolo")

ANCHORS = [[10, 13, 16, 30, 33, 23], [30, 61, 62, 45, 59, 119], [116, 90, 156, 198, 373, 326]]
STRIDES = [8, 16, 32]


def out(name):
    return os.path.join(OUT, name)


def save_png(name, bgr):
    cv2.imwrite(out(name), bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])


def save_rgb_npy(name, bgr):
    np.save(out(name), np.ascontiguousarray(bgr[:, :, ::-1]).astype("<f4"))


# ---- letterbox (YOLOv5 v6.1 utils/augmentations.py semantics, restated) -----------------------

def letterbox(im, new_shape, auto=True, scaleup=True, stride=32, color=(114, 114, 114)):
    shape = im.shape[:2]
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    if not scaleup:
        r = min(r, 1.0)
    new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
    dw, dh = new_shape[1] - new_unpad[0], new_shape[0] - new_unpad[1]
    if auto:
        dw, dh = np.mod(dw, stride), np.mod(dh, stride)
    dw /= 2
    dh /= 2
    if shape[::-1] != new_unpad:
        im = cv2.resize(im, new_unpad, interpolation=cv2.INTER_LINEAR)
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    im = cv2.copyMakeBorder(im, top, bottom, left, right, cv2.BORDER_CONSTANT, value=color)
    return im, r, (float(dw), float(dh)), (top, bottom, left, right), new_unpad


def letterbox_cases():
    cases = []
    for stem in ["bus", "zidane"]:
        src = cv2.imread(os.path.join(ROOT, "samples", stem + ".jpg"))
        save_png(f"{stem}_src.png", src)  # libjpeg-turbo's decode, kept losslessly
        for size, scaleup in [(640, True), (320, True), (1280, False), (1280, True)]:
            im, r, (dw, dh), (top, bottom, left, right), new_unpad = letterbox(src, (size, size), scaleup=scaleup)
            name = f"{stem}_{size}" + ("" if scaleup else "_noup")
            if size != 1280:  # at 1280 only the numbers: keeps the fixtures small (the test checks
                save_png(name + ".png", im)  # the no-upscale case against the source pixels itself)
            cases.append({"name": name, "source": f"{stem}_src.png", "jpeg": f"{stem}.jpg", "size": size,
                          "scaleup": scaleup, "ratio": r, "dw": dw, "dh": dh, "top": top, "bottom": bottom,
                          "left": left, "right": right, "unpad_w": new_unpad[0], "unpad_h": new_unpad[1],
                          "out_h": im.shape[0], "out_w": im.shape[1],
                          "image": name + ".png" if os.path.exists(out(name + ".png")) else None})
    # An upscale of a small odd-sized crop exercises the border taps and the clamped rows/columns.
    small = cv2.imread(os.path.join(ROOT, "samples", "zidane.jpg"))[301:338, 601:650]
    save_png("crop_src.png", small)
    im, r, (dw, dh), (top, bottom, left, right), new_unpad = letterbox(small, (160, 160))
    save_png("crop_160.png", im)
    cases.append({"name": "crop_160", "source": "crop_src.png", "jpeg": None, "size": 160, "scaleup": True,
                  "ratio": r, "dw": dw, "dh": dh, "top": top, "bottom": bottom, "left": left, "right": right,
                  "unpad_w": new_unpad[0], "unpad_h": new_unpad[1], "out_h": im.shape[0], "out_w": im.shape[1],
                  "image": "crop_160.png"})
    return cases


# ---- EXIF orientation -------------------------------------------------------------------------

def exif_cases():
    # A 40x24 picture of flat 8x8 colour blocks (JPEG-friendly), different in every corner.
    rgb = np.zeros((24, 40, 3), np.uint8)
    rgb[:, :] = (40, 40, 40)
    rgb[0:8, 0:8] = (230, 30, 30)
    rgb[0:8, 32:40] = (30, 230, 30)
    rgb[16:24, 0:8] = (30, 30, 230)
    rgb[8:16, 16:24] = (230, 230, 30)
    rgb[16:24, 24:40] = (230, 230, 230)
    names = []
    for fmt, ext in [("JPEG", "jpg"), ("PNG", "png")]:
        for orientation in range(1, 9):
            exif = Image.Exif()
            exif[0x0112] = orientation
            path = f"exif_{orientation}.{ext}"
            kwargs = {"quality": 95, "subsampling": 0} if fmt == "JPEG" else {}
            Image.fromarray(rgb).save(out(path), fmt, exif=exif.tobytes(), **kwargs)
            save_png(f"exif_{orientation}_{ext}_cv2.png", cv2.imread(out(path)))
            names.append({"file": path, "expected": f"exif_{orientation}_{ext}_cv2.png", "orientation": orientation})
    return names


# ---- plain decoding -----------------------------------------------------------------------------

def decode_cases():
    rng = np.random.default_rng(4)
    bgr = rng.integers(0, 256, (17, 23, 3), dtype=np.uint8)
    gray = rng.integers(0, 256, (13, 9), dtype=np.uint8)
    bgra = np.dstack([bgr, rng.integers(0, 256, (17, 23), dtype=np.uint8)])
    cv2.imwrite(out("plain_rgb.png"), bgr)
    cv2.imwrite(out("plain_rgba.png"), bgra)
    cv2.imwrite(out("plain_gray.png"), gray)
    cv2.imwrite(out("plain_24.bmp"), bgr)
    cv2.imwrite(out("plain_8.bmp"), gray)
    cv2.imwrite(out("plain_rgb16.png"), rng.integers(0, 65536, (11, 7, 3), dtype=np.uint16))
    cv2.imwrite(out("plain_gray16.png"), rng.integers(0, 65536, (5, 6), dtype=np.uint16))
    with open(out("png_named.jpg"), "wb") as f:  # PNG bytes behind a .jpg name: content decides
        f.write(cv2.imencode(".png", bgr)[1].tobytes())
    with open(out("not_image.jpg"), "w") as f:
        f.write("this is a text file, not a JPEG\n")
    cases = []
    for name in ["plain_rgb.png", "plain_rgba.png", "plain_gray.png", "plain_24.bmp", "plain_8.bmp",
                 "plain_rgb16.png", "plain_gray16.png", "png_named.jpg"]:
        im = cv2.imread(out(name))
        expected = name.replace(".", "_") + "_cv2.npy"
        save_rgb_npy(expected, im)
        cases.append({"file": name, "expected": expected})
    assert cv2.imread(out("not_image.jpg")) is None
    return cases


# ---- Detect decoding and NMS (YOLOv5 v6.1 models/yolo.py + utils/general.py, restated) -----------

def decode(outputs, nc):
    """Raw Detect convs [1, na*(nc+5), ny, nx] -> [N, nc+5] predictions (xywh px, σ obj, σ cls) and
    for each row (level, anchor, gy, gx) plus its raw logits, in YOLOv5's order."""
    rows, index, logits = [], [], []
    no = nc + 5
    for level, raw in enumerate(outputs):
        x = torch.from_numpy(raw)
        bs, _, ny, nx = x.shape
        na = x.shape[1] // no
        x = x.view(bs, na, no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
        yv, xv = torch.meshgrid([torch.arange(ny), torch.arange(nx)], indexing="ij")
        grid = torch.stack((xv, yv), 2).expand((1, na, ny, nx, 2)).float()
        anchors = torch.tensor(ANCHORS[level], dtype=torch.float32).view(na, 2) / STRIDES[level]
        anchor_grid = (anchors * STRIDES[level]).view((1, na, 1, 1, 2)).expand((1, na, ny, nx, 2)).float()
        y = x.sigmoid()
        y[..., 0:2] = (y[..., 0:2] * 2 - 0.5 + grid) * STRIDES[level]
        y[..., 2:4] = (y[..., 2:4] * 2) ** 2 * anchor_grid
        rows.append(y.view(-1, no))
        logits.append(x.view(-1, no))
        a, gy, gx = torch.meshgrid([torch.arange(na), torch.arange(ny), torch.arange(nx)], indexing="ij")
        index.append(torch.stack([torch.full_like(a, level), a, gy, gx], -1).view(-1, 4))
    return torch.cat(rows), torch.cat(index), torch.cat(logits)


def xywh2xyxy(x):
    y = x.clone()
    y[:, 0] = x[:, 0] - x[:, 2] / 2
    y[:, 1] = x[:, 1] - x[:, 3] / 2
    y[:, 2] = x[:, 0] + x[:, 2] / 2
    y[:, 3] = x[:, 1] + x[:, 3] / 2
    return y


def nms(pred, conf_thres=0.25, iou_thres=0.45, classes=None, agnostic=False, max_det=1000):
    """non_max_suppression for one image, best class per box; returns rows [xyxy, conf, cls, row]."""
    max_wh, max_nms = 7680, 30000
    rowid = torch.arange(pred.shape[0], dtype=torch.float64)
    keep = pred[:, 4] > conf_thres
    x, rowid = pred[keep].clone(), rowid[keep]
    if not x.shape[0]:
        return torch.zeros((0, 7), dtype=torch.float64)
    x[:, 5:] *= x[:, 4:5]
    box = xywh2xyxy(x[:, :4])
    conf, j = x[:, 5:].max(1, keepdim=True)
    sel = conf.view(-1) > conf_thres
    x = torch.cat((box, conf, j.float()), 1)[sel]
    rowid = rowid[sel]
    if classes is not None:
        sel = (x[:, 5:6] == torch.tensor(classes)).any(1)
        x, rowid = x[sel], rowid[sel]
    n = x.shape[0]
    if not n:
        return torch.zeros((0, 7), dtype=torch.float64)
    if n > max_nms:
        order = x[:, 4].argsort(descending=True)[:max_nms]
        x, rowid = x[order], rowid[order]
    c = x[:, 5:6] * (0 if agnostic else max_wh)
    i = torchvision.ops.nms(x[:, :4] + c, x[:, 4], iou_thres)[:max_det]
    return torch.cat((x[i].double(), rowid[i, None]), 1)


def scale_coords(img1_shape, coords, img0_shape):
    """utils.general.scale_coords as detect.py calls it (gain and pad from the two shapes), then clip."""
    gain = min(img1_shape[0] / img0_shape[0], img1_shape[1] / img0_shape[1])
    pad = (img1_shape[1] - img0_shape[1] * gain) / 2, (img1_shape[0] - img0_shape[0] * gain) / 2
    coords = coords.clone()
    coords[:, [0, 2]] -= pad[0]
    coords[:, [1, 3]] -= pad[1]
    coords[:, :4] /= gain
    coords[:, 0].clamp_(0, img0_shape[1])
    coords[:, 1].clamp_(0, img0_shape[0])
    coords[:, 2].clamp_(0, img0_shape[1])
    coords[:, 3].clamp_(0, img0_shape[0])
    return coords


def nms_case(name, files, nc, input_hw, orig_hw, **options):
    outputs = [np.load(f) for f in files]
    pred, index, logits = decode(outputs, nc)
    det = nms(pred, **options)
    boxes = det[:, :4].float()
    orig = scale_coords(input_hw, boxes.clone(), orig_hw)
    rows = det[:, 6].long()
    dets = []
    for k in range(det.shape[0]):
        r, cls = rows[k], int(det[k, 5])
        level, anchor, gy, gx = (int(v) for v in index[r])
        dets.append({"class": cls, "conf": float(det[k, 4]), "box": [float(v) for v in boxes[k]],
                     "box_orig": [float(v) for v in orig[k]], "level": level, "anchor": anchor, "y": gy, "x": gx,
                     "channel": anchor * (nc + 5) + 5 + cls, "class_logit": float(logits[r, 5 + cls]),
                     "obj_logit": float(logits[r, 4])})
    return {"name": name, "files": [os.path.relpath(f, os.path.join(HERE, "..", "fixtures")) for f in files],
            "nc": nc, "input_hw": list(input_hw), "orig_hw": list(orig_hw),
            "options": {k: v for k, v in options.items()}, "candidates": int((pred[:, 4] > options.get("conf_thres", 0.25)).sum()),
            "detections": dets}


def synthetic_outputs():
    """Raw Detect outputs (nc 2, input 64x96) whose boxes pile up: near-identical boxes of both classes
    around a few centres, at all three levels, with logits spread so scores are distinct."""
    rng = np.random.default_rng(7)
    nc, na, no = 2, 3, 7
    files = []
    for level, (ny, nx) in enumerate([(8, 12), (4, 6), (2, 3)]):
        raw = rng.normal(-6.0, 1.0, (1, na * no, ny, nx)).astype(np.float32)
        for a in range(na):
            base = a * no
            raw[0, base + 0:base + 2] = rng.normal(0.0, 0.4, (2, ny, nx))       # xy near the cell centre
            raw[0, base + 2:base + 4] = rng.normal(0.2, 0.3, (2, ny, nx))       # wh around the anchor
            raw[0, base + 4] = rng.normal(1.0, 1.5, (ny, nx))                   # objectness: many above 0.25
            raw[0, base + 5] = rng.normal(0.5, 1.5, (ny, nx))                   # class 0
            raw[0, base + 6] = rng.normal(0.5, 1.5, (ny, nx))                   # class 1
        path = out(f"synthetic_detect{level}.npy")
        np.save(path, raw.astype("<f4"))
        files.append(path)
    return files


def main():
    os.makedirs(OUT, exist_ok=True)
    fixture = {"generator": f"tests/reference/yolo_io_reference.py (OpenCV {cv2.__version__}, "
                            f"PyTorch {torch.__version__}, torchvision {torchvision.__version__})",
               "anchors": ANCHORS, "strides": STRIDES}
    fixture["letterbox"] = letterbox_cases()
    fixture["exif"] = exif_cases()
    fixture["decode"] = decode_cases()
    yolo = [os.path.join(YOLO, f"yolov5n_detect{i}.npy") for i in range(3)]
    synth = synthetic_outputs()
    bus = (1080, 810)
    fixture["nms"] = [
        nms_case("yolov5n_bus160", yolo, 80, (160, 128), bus),
        nms_case("yolov5n_bus160_conf0.01", yolo, 80, (160, 128), bus, conf_thres=0.01),
        nms_case("yolov5n_bus160_conf0.01_agnostic", yolo, 80, (160, 128), bus, conf_thres=0.01, agnostic=True),
        nms_case("yolov5n_bus160_conf0.01_classes0,2,5", yolo, 80, (160, 128), bus, conf_thres=0.01, classes=[0, 2, 5]),
        nms_case("synthetic", synth, 2, (64, 96), (200, 300)),
        nms_case("synthetic_agnostic", synth, 2, (64, 96), (200, 300), agnostic=True),
        nms_case("synthetic_iou0.2_maxdet7", synth, 2, (64, 96), (200, 300), iou_thres=0.2, max_det=7),
    ]
    with open(out("yolo_io.json"), "w") as f:
        json.dump(fixture, f, indent=1)
    for case in fixture["nms"]:
        print(f"{case['name']}: {case['candidates']} candidates, {len(case['detections'])} detections")


if __name__ == "__main__":
    main()
