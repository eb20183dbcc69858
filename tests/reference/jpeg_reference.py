"""Reference fixtures for NativeCam's JPEG decoder (src/Imaging/Jpeg): small JPEGs and what cv2.imread
(OpenCV 4.6 on libjpeg-turbo 2.1.5, IMREAD_COLOR) makes of them, stored losslessly as PNG.

Two sources of JPEGs:
  * Pillow's encoder (libjpeg): 4:4:4 / 4:2:2 / 4:2:0 / greyscale, qualities 50-100, optimised
    Huffman tables, progressive files, odd sizes;
  * a minimal baseline encoder below, for what Pillow cannot write: restart intervals, other sampling
    factors (4:4:0, 4:1:1, mixed), one scan per component, chroma planes at most 2 samples wide, RGB
    (Adobe / 'R','G','B' ids) files, and coefficients pushed far enough to hit the IDCT's clamping.
    Its "Huffman" tables give every symbol a code of the same length, which is legal and keeps it short.

Content is cut from samples/bus.jpg (decoded by cv2) so blocks carry real edges and colours.
Run: cd tests/reference && /usr/bin/python3 jpeg_reference.py
"""
import io
import json
import os

import cv2
import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
OUT = os.path.join(HERE, "..", "fixtures", "jpeg")

BUS = cv2.imread(os.path.join(ROOT, "samples", "bus.jpg"))[:, :, ::-1]  # RGB


def crop(y, x, h, w):
    return np.ascontiguousarray(BUS[y:y + h, x:x + w])


# ---- a minimal baseline JPEG encoder -------------------------------------------------------------

ZIGZAG = sorted(((u, v) for u in range(8) for v in range(8)),
                key=lambda p: (p[0] + p[1], p[0] if (p[0] + p[1]) % 2 else p[1]))
DCT = np.array([[np.sqrt((1 if u == 0 else 2) / 8) * np.cos((2 * x + 1) * u * np.pi / 16) for x in range(8)]
                for u in range(8)])


def quant_table(quality, seed):
    # A smooth table rising with frequency, scaled like libjpeg's quality setting.
    base = np.array([[8 + 3 * (u + v) + (u * v) // 2 for v in range(8)] for u in range(8)], float)
    scale = 5000 / quality if quality < 50 else 200 - 2 * quality
    t = np.clip(np.floor((base * scale + 50) / 100), 1, 255).astype(int)
    t[0, 0] = max(t[0, 0], 2)  # keep DC differences within category 11
    return t


class BitWriter:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value, bits):
        for i in range(bits - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)  # byte stuffing
                self.acc = self.n = 0

    def flush(self):
        while self.n:
            self.write(1, 1)  # pad with ones


def category(v):
    return 0 if v == 0 else int(abs(v)).bit_length()


def magnitude_bits(v, s):
    return v if v >= 0 else v + (1 << s) - 1


AC_SYMBOLS = [0x00, 0xF0] + [(r << 4) | s for r in range(16) for s in range(1, 11)]
AC_CODE = {sym: i for i, sym in enumerate(AC_SYMBOLS)}  # 8-bit codes


def segment(marker, payload):
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + bytes(payload)


def encode(rgb, factors, quality=75, restart=0, interleaved=True, grey=False, ids=(1, 2, 3),
           jfif=True, adobe=None, noise=0, seed=0):
    """factors: (h, v) per component; rgb: HxWx3 uint8 (for grey the first channel is used)."""
    rng = np.random.default_rng(seed)
    h_img, w_img = rgb.shape[:2]
    x = rgb.astype(float)
    if grey:
        planes = [x[:, :, 0]]
    elif adobe == 0 or ids == (82, 71, 66):
        planes = [x[:, :, 0], x[:, :, 1], x[:, :, 2]]
    else:
        r, g, b = x[:, :, 0], x[:, :, 1], x[:, :, 2]
        planes = [0.299 * r + 0.587 * g + 0.114 * b,
                  -0.168736 * r - 0.331264 * g + 0.5 * b + 128,
                  0.5 * r - 0.418688 * g - 0.081312 * b + 128]
    hmax, vmax = max(f[0] for f in factors), max(f[1] for f in factors)
    mcux, mcuy = -(-w_img // (8 * hmax)), -(-h_img // (8 * vmax))
    qt = [quant_table(quality, 0), quant_table(max(quality - 15, 5), 1)]
    comps = []
    for ci, (plane, (h, v)) in enumerate(zip(planes, factors)):
        fx, fy = hmax // h, vmax // v
        ph, pw = -(-h_img // fy) * fy, -(-w_img // fx) * fx
        p = np.pad(plane, ((0, ph - h_img), (0, pw - w_img)), mode="edge")
        small = p.reshape(ph // fy, fy, pw // fx, fx).mean(axis=(1, 3))
        bh, bw = mcuy * v * 8, mcux * h * 8
        small = np.pad(small, ((0, bh - small.shape[0]), (0, bw - small.shape[1])), mode="edge")
        q = qt[0 if ci == 0 else 1]
        blocks = np.zeros((bh // 8, bw // 8, 8, 8), int)
        for by in range(bh // 8):
            for bx in range(bw // 8):
                f = DCT @ (small[by * 8:by * 8 + 8, bx * 8:bx * 8 + 8] - 128) @ DCT.T
                c = np.round(f / q).astype(int)
                if noise:
                    c += rng.integers(-noise, noise + 1, size=(8, 8))
                c[0, 0] = np.clip(c[0, 0], -1000, 1000)
                blocks[by, bx] = np.clip(c, -1023, 1023)
        cw, ch = -(-w_img * h // hmax), -(-h_img * v // vmax)
        comps.append(dict(id=ids[ci], h=h, v=v, tq=0 if ci == 0 else 1, blocks=blocks,
                          scan_bw=-(-cw // 8), scan_bh=-(-ch // 8)))

    out = bytearray([0xFF, 0xD8])
    if jfif:
        out += segment(0xE0, b"JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    if adobe is not None:
        out += segment(0xEE, b"Adobe" + bytes([0, 100, 0, 0, 0, 0, adobe]))
    for t, q in enumerate(qt[:1 if grey else 2]):
        out += segment(0xDB, bytes([t]) + bytes(int(q[u, v]) for u, v in ZIGZAG))
    sof = [8, h_img >> 8, h_img & 255, w_img >> 8, w_img & 255, len(comps)]
    for c in comps:
        sof += [c["id"], (c["h"] << 4) | c["v"], c["tq"]]
    out += segment(0xC0, sof)
    dc_counts = [0, 0, 0, 12] + [0] * 12
    ac_counts = [0] * 7 + [len(AC_SYMBOLS)] + [0] * 8
    out += segment(0xC4, [0x00] + dc_counts + list(range(12)) + [0x10] + ac_counts + AC_SYMBOLS)
    if restart:
        out += segment(0xDD, [restart >> 8, restart & 255])

    def block_code(bw, c, blk, pred):
        zz = [int(blk[u, v]) for u, v in ZIGZAG]
        diff = zz[0] - pred
        s = category(diff)
        bw.write(s, 4)
        bw.write(magnitude_bits(diff, s), s)
        run = 0
        last = max([k for k in range(1, 64) if zz[k] != 0], default=0)
        for k in range(1, last + 1):
            if zz[k] == 0:
                run += 1
                continue
            while run > 15:
                bw.write(AC_CODE[0xF0], 8)
                run -= 16
            s = category(zz[k])
            bw.write(AC_CODE[(run << 4) | s], 8)
            bw.write(magnitude_bits(zz[k], s), s)
            run = 0
        if last < 63:
            bw.write(AC_CODE[0x00], 8)
        return zz[0]

    def scan(scomps):
        out_scan = segment(0xDA, [len(scomps)] + sum(([c["id"], 0x00] for c in scomps), []) + [0, 63, 0])
        bw = BitWriter()
        preds = [0] * len(scomps)
        if len(scomps) > 1:
            mcus = [(my, mx) for my in range(mcuy) for mx in range(mcux)]
        else:
            mcus = [(by, bx) for by in range(scomps[0]["scan_bh"]) for bx in range(scomps[0]["scan_bw"])]
        for i, (my, mx) in enumerate(mcus):
            if restart and i and i % restart == 0:
                bw.flush()
                bw.out += bytes([0xFF, 0xD0 + ((i // restart - 1) & 7)])
                preds = [0] * len(scomps)
            for si, c in enumerate(scomps):
                if len(scomps) == 1:
                    preds[si] = block_code(bw, c, c["blocks"][my, mx], preds[si])
                    continue
                for v in range(c["v"]):
                    for h in range(c["h"]):
                        preds[si] = block_code(bw, c, c["blocks"][my * c["v"] + v, mx * c["h"] + h], preds[si])
        bw.flush()
        return out_scan + bw.out

    if interleaved:
        out += scan(comps)
    else:
        for c in comps:
            out += scan([c])
    out += bytes([0xFF, 0xD9])
    return bytes(out)


# ---- fixtures -----------------------------------------------------------------------------------

def pil(rgb, mode="RGB", **kw):
    buf = io.BytesIO()
    Image.fromarray(rgb if mode == "RGB" else rgb[:, :, 1], mode).save(buf, "JPEG", **kw)
    return buf.getvalue()


CASES = [
    # name, description, encoded bytes
    ("q50_444.jpg", "Pillow 4:4:4 quality 50", pil(crop(300, 100, 48, 64), quality=50, subsampling=0)),
    ("q100_422.jpg", "Pillow 4:2:2 quality 100", pil(crop(420, 200, 40, 56), quality=100, subsampling=1)),
    ("q90_420_17x9.jpg", "Pillow 4:2:0 quality 90, odd size", pil(crop(500, 300, 9, 17), quality=90, subsampling=2)),
    ("q75_420_opt.jpg", "Pillow 4:2:0 quality 75, optimised Huffman tables", pil(crop(200, 400, 45, 61), quality=75, optimize=True)),
    ("grey_q75_33x21.jpg", "Pillow greyscale, odd size", pil(crop(600, 50, 21, 33), mode="L", quality=75)),
    ("grey_q100.jpg", "Pillow greyscale quality 100", pil(crop(640, 500, 32, 40), mode="L", quality=100)),
    ("prog_420.jpg", "Pillow progressive 4:2:0", pil(crop(100, 100, 120, 160), quality=80, progressive=True)),
    ("prog_444_q100.jpg", "Pillow progressive 4:4:4 quality 100", pil(crop(350, 600, 29, 37), quality=100, subsampling=0, progressive=True)),
    ("prog_grey.jpg", "Pillow progressive greyscale", pil(crop(700, 700, 31, 27), mode="L", quality=60, progressive=True)),
    ("q50_420_rst.jpg", "4:2:0 quality 50, restart every 3 MCUs", encode(crop(450, 150, 45, 61), [(2, 2), (1, 1), (1, 1)], 50, restart=3)),
    ("q100_444_rst1.jpg", "4:4:4 quality 100, restart every MCU", encode(crop(250, 250, 16, 24), [(1, 1), (1, 1), (1, 1)], 100, restart=1)),
    ("h1v2_440.jpg", "4:4:0 (luma 1x2): libjpeg's h1v2 fancy upsampling", encode(crop(380, 420, 19, 23), [(1, 2), (1, 1), (1, 1)], 85)),
    ("h4v1_411.jpg", "4:1:1 (luma 4x1): replication", encode(crop(520, 80, 13, 45), [(4, 1), (1, 1), (1, 1)], 85)),
    ("mixed_factors.jpg", "luma 2x2, Cb 1x2, Cr 2x1", encode(crop(300, 500, 27, 35), [(2, 2), (1, 2), (2, 1)], 80)),
    ("separate_scans_rst.jpg", "4:2:0, one scan per component, restart every 2", encode(crop(150, 600, 35, 43), [(2, 2), (1, 1), (1, 1)], 70, restart=2, interleaved=False)),
    ("narrow_3x5_420.jpg", "4:2:0 3x5: chroma 2 samples wide, replicated not filtered", encode(crop(400, 400, 5, 3), [(2, 2), (1, 1), (1, 1)], 90)),
    ("tiny_1x1_420.jpg", "4:2:0 1x1", encode(crop(410, 410, 1, 1), [(2, 2), (1, 1), (1, 1)], 90)),
    ("adobe_rgb.jpg", "Adobe transform 0: RGB components, no colour conversion", encode(crop(320, 320, 24, 24), [(1, 1), (1, 1), (1, 1)], 90, jfif=False, adobe=0)),
    ("ids_rgb.jpg", "component ids 'R','G','B', no JFIF: RGB", encode(crop(330, 330, 16, 16), [(1, 1), (1, 1), (1, 1)], 90, jfif=False, ids=(82, 71, 66))),
    # Noise that drives samples past 0 and 255 (clamped by the range-limit table) while every IDCT
    # intermediate stays within 16 bits: libjpeg-turbo's SIMD IDCT, which cv2 runs on x86-64, matches its C
    # code only in that range, and no encoding of 8-bit pixels leaves it.
    ("noisy_clamp_420.jpg", "4:2:0 with random coefficient noise: IDCT output clamping", encode(crop(100, 700, 32, 32), [(2, 2), (1, 1), (1, 1)], 95, noise=6, seed=3)),
    ("noisy_clamp_grey.jpg", "greyscale with coefficient noise: IDCT output clamping seen directly", encode(crop(560, 240, 32, 40), [(1, 1)], 95, grey=True, noise=6, seed=5)),
    ("grey_rst_own.jpg", "greyscale restart every 5 blocks", encode(crop(560, 560, 23, 29), [(1, 1)], 60, restart=5, grey=True)),
]


# Flavours our decoder hands to ImageSharp (JpegUnsupportedException): a 4-component CMYK file.
FALLBACK = [
    ("cmyk.jpg", "Pillow CMYK (Adobe, 4 components)",
     (lambda b: (Image.fromarray(crop(300, 300, 24, 32)).convert("CMYK").save(b, "JPEG", quality=90), b.getvalue())[1])(io.BytesIO())),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    files = []
    for name, description, data in CASES:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        bgr = cv2.imread(os.path.join(OUT, name))
        assert bgr is not None, name
        expected = name[:-4] + "_cv2.png"
        cv2.imwrite(os.path.join(OUT, expected), bgr, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        files.append({"file": name, "expected": expected, "description": description,
                      "height": bgr.shape[0], "width": bgr.shape[1]})
    fallback = []
    for name, description, data in FALLBACK:
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        bgr = cv2.imread(os.path.join(OUT, name))
        fallback.append({"file": name, "description": description, "height": bgr.shape[0], "width": bgr.shape[1]})
    with open(os.path.join(OUT, "jpeg.json"), "w") as f:
        json.dump({"files": files, "fallback": fallback}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"{len(files)} JPEGs, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
