"""Reference fixtures for the CAM rendering kernels (src/Cam/Render), written to tests/fixtures/render/render.json.

What each case pins down, with the library that defines it:
- resize_*: torch.nn.functional.interpolate(mode='bilinear', align_corners=False) in float32, optionally of a
  cropped window (the letterbox crop) - the kernel must match PyTorch's half-pixel arithmetic to 1e-5.
- normalize_*: per-map min-max normalisation in float32, (m - min) / (max - min); a flat map becomes zeros.
- jet: OpenCV 4.6's COLORMAP_JET, read out of cv2.applyColorMap on the 256 levels 0..255 (stored RGB).
- blend_*: the seed tools' colouring: heat = cv2.applyColorMap(np.uint8(255 * cam), COLORMAP_JET) (uint8 of a
  float32 product: truncation), converted BGR->RGB, then w * heat + (1 - w) * float32(img) with numpy 1.x's
  types (uint8 heat term float64, float32 image term float32, sum float64) and rounded to uint8 as
  cv2.imwrite's convertTo does (round half to even, saturate).
- gray_grid / jet_grid: a [0, 1] feature grid quantised the same way, grey replicated to RGB or JET.
- pipeline: raw maps at stride 8 -> upsample to the letterboxed input -> normalise over the input -> crop the
  padding -> resize to the original image -> JET -> blend, with YOLOv5's letterbox arithmetic for the padding.

Run with Debian's /usr/bin/python3 (torch 1.13, cv2 4.6, numpy).
"""
import json
import os

import cv2
import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "render", "render.json")


def arr(a):
    a = np.asarray(a)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1).tolist()]}


def case(name, params, inputs, outputs):
    return {"name": name, "params": params, "inputs": {k: arr(v) for k, v in inputs.items()},
            "outputs": {k: arr(v) for k, v in outputs.items()}}


def interpolate(maps, size):
    """F.interpolate on [K, h, w] float32 maps, float32 arithmetic as the kernel does it."""
    t = torch.from_numpy(np.ascontiguousarray(maps, dtype=np.float32))[None]
    return F.interpolate(t, size=size, mode="bilinear", align_corners=False)[0].numpy()


def normalize(maps, window=None):
    """Per-map min-max in float32 over the window (top, left, height, width) or the whole map."""
    out = np.zeros_like(maps, dtype=np.float32)
    mins, maxs, empty = [], [], []
    for k, m in enumerate(maps):
        region = m if window is None else m[window[0]:window[0] + window[2], window[1]:window[1] + window[3]]
        mn, mx = np.float32(region.min()), np.float32(region.max())
        mins.append(mn)
        maxs.append(mx)
        empty.append(1.0 if not mx > mn else 0.0)
        if mx > mn:
            out[k] = (m - mn) / (mx - mn)
    return out, np.array(mins, np.float32), np.array(maxs, np.float32), np.array(empty)


JET_BGR = cv2.applyColorMap(np.arange(256, dtype=np.uint8).reshape(256, 1), cv2.COLORMAP_JET)[:, 0, :]


def quantise(cam):
    """The seed tools' np.uint8(255 * cam) on float32 maps in [0, 1]: truncation toward zero."""
    return np.uint8(np.float32(255) * cam.astype(np.float32))


def blend(cam, img, weight):
    """heat = applyColorMap(uint8(255 cam)) as RGB; w*heat + (1-w)*float32(img) as numpy types it; imwrite's rounding."""
    heat = cv2.applyColorMap(quantise(cam), cv2.COLORMAP_JET)[..., ::-1]
    image_term = (1.0 - weight) * np.float32(img)
    assert image_term.dtype == np.float32, "numpy >= 2 would widen the image term: the C# blend follows numpy 1.x"
    mixed = weight * heat + image_term
    return np.clip(np.rint(mixed), 0, 255).astype(np.uint8)


def letterbox_plan(h, w, new, stride=32):
    """YOLOv5 v6.1 letterbox arithmetic (auto=True, scaleup=True): resized size and integer padding."""
    r = min(new / h, new / w)
    unpad_w, unpad_h = int(round(w * r)), int(round(h * r))
    dw, dh = (new - unpad_w) % stride / 2, (new - unpad_h) % stride / 2
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    return dict(top=top, left=left, resized_h=unpad_h, resized_w=unpad_w,
                input_h=unpad_h + top + bottom, input_w=unpad_w + left + right)


def main():
    rng = np.random.default_rng(5)
    cases = [case("jet", {}, {}, {"rgb": JET_BGR[:, ::-1]})]

    # Bilinear resize: up, down, mixed, 1x1, odd sizes, and cropped windows.
    for name, (k, h, w), (oh, ow), window in [
        ("resize_up8", (2, 5, 4), (40, 32), None),
        ("resize_odd", (3, 3, 5), (7, 11), None),
        ("resize_one_pixel", (1, 1, 1), (4, 3), None),
        ("resize_down", (2, 9, 7), (4, 5), None),
        ("resize_mixed", (1, 6, 3), (4, 10), None),
        ("resize_crop_up", (2, 12, 10), (13, 17), (2, 1, 7, 8)),
        ("resize_crop_down", (1, 16, 16), (5, 6), (3, 0, 10, 16)),
    ]:
        src = rng.uniform(-2, 3, size=(k, h, w)).astype(np.float32)
        region = src if window is None else src[:, window[0]:window[0] + window[2], window[1]:window[1] + window[3]]
        params = {"out_h": oh, "out_w": ow, "window": list(window) if window else None}
        cases.append(case(name, params, {"x": src}, {"y": interpolate(region, (oh, ow))}))

    # Normalisation: random maps, a flat map (all zeros out, empty), a windowed min/max.
    maps = rng.uniform(-1, 4, size=(3, 6, 7)).astype(np.float32)
    maps[1] = np.float32(0.75)
    y, mn, mx, empty = normalize(maps)
    cases.append(case("normalize_flat", {"window": None}, {"x": maps}, {"y": y, "min": mn, "max": mx, "empty": empty}))
    maps = rng.uniform(0, 1, size=(2, 9, 8)).astype(np.float32)
    maps[0, 0, 0] = 7.0  # outside the window: must not set the maximum
    window = (1, 2, 6, 5)
    y, mn, mx, empty = normalize(maps, window)
    cases.append(case("normalize_window", {"window": list(window)}, {"x": maps},
                      {"y": y, "min": mn, "max": mx, "empty": empty}))

    # Colour map + blend on exact float32 maps (includes 0, 1 and values right at quantisation edges).
    cam = rng.uniform(0, 1, size=(2, 9, 11)).astype(np.float32)
    cam[0, 0, :6] = np.array([0, 1, 1 / 255, 254 / 255, 0.5, np.nextafter(np.float32(1), np.float32(0))], np.float32)
    img = rng.integers(0, 256, size=(9, 11, 3), dtype=np.uint8)
    for weight in (0.3, 0.5):
        cases.append(case("blend_%g" % weight, {"weight": weight}, {"cam": cam, "image": img},
                          {"y": np.stack([blend(c, img, weight) for c in cam])}))

    grid = rng.uniform(0, 1, size=(5, 7)).astype(np.float32)
    grid[0, :3] = [0, 1, 0.5]
    q = quantise(grid)
    cases.append(case("gray_grid", {}, {"grid": grid}, {"y": np.repeat(q[..., None], 3, axis=2)}))
    cases.append(case("jet_grid", {}, {"grid": grid}, {"y": cv2.applyColorMap(q, cv2.COLORMAP_JET)[..., ::-1]}))

    # Whole pipeline on a small non-square image letterboxed to 64 (odd padding split 9 / 10; stride-8 maps,
    # one map flat).
    h0, w0 = 28, 40
    plan = letterbox_plan(h0, w0, 64)
    raw = np.maximum(rng.normal(0, 1, size=(3, plan["input_h"] // 8, plan["input_w"] // 8)), 0).astype(np.float32)
    raw[2] = 0
    img = rng.integers(0, 256, size=(h0, w0, 3), dtype=np.uint8)
    up = interpolate(raw, (plan["input_h"], plan["input_w"]))
    norm, mn, mx, empty = normalize(up)
    crop = norm[:, plan["top"]:plan["top"] + plan["resized_h"], plan["left"]:plan["left"] + plan["resized_w"]]
    back = interpolate(crop, (h0, w0))
    overlays = np.stack([blend(b, img, 0.3) for b in back])
    cases.append(case("pipeline", dict(plan, image_h=h0, image_w=w0, size=64), {"maps": raw, "image": img},
                      {"cam": back, "y": overlays, "min": mn, "max": mx, "empty": empty}))

    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump({"generator": "tests/reference/render_reference.py (torch %s, cv2 %s, numpy %s)"
                   % (torch.__version__, cv2.__version__, np.__version__), "cases": cases}, f)
    print("wrote", os.path.relpath(OUT), len(cases), "cases", os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
