"""Writes tests/fixtures/resize/*.npy: what torchvision 0.14's Resize does to a PIL image (PIL 9.4's antialiased
bilinear and bicubic resample), as uint8 [H, W, 3] arrays, for PilResize's bit-exact tests.
- <image>_<filter>_<resize>_<crop>_u8.npy: Resize(resize, filter) then CenterCrop(crop) of samples/<image>.jpg, the
  published evaluation transforms of EfficientNet b0 (bicubic 256/224), b3 (bicubic 320/300) and ResNet (bilinear 256/224);
- patch_<filter>_<h>x<w>_u8.npy: a 40x60 patch of bus.jpg (rows 400..439, columns 300..359) resized to h x w, shrinking
  and enlarging each axis (bicubic's overshoot clipped).
Run with /usr/bin/python3 from the repository root."""
import os
import numpy as np
from PIL import Image
from torchvision import transforms

OUT = "tests/fixtures/resize"
MODES = {"bilinear": transforms.InterpolationMode.BILINEAR, "bicubic": transforms.InterpolationMode.BICUBIC}
os.makedirs(OUT, exist_ok=True)
for image, mode, resize, crop in [("bus", "bicubic", 256, 224), ("zidane", "bicubic", 320, 300), ("zidane", "bilinear", 256, 224)]:
    t = transforms.Compose([transforms.Resize(resize, interpolation=MODES[mode]), transforms.CenterCrop(crop)])
    pixels = np.asarray(t(Image.open("samples/%s.jpg" % image).convert("RGB")), dtype=np.uint8)
    np.save(os.path.join(OUT, "%s_%s_%d_%d_u8.npy" % (image, mode, resize, crop)), pixels)
    print(image, mode, resize, crop, pixels.shape)
patch = Image.open("samples/bus.jpg").convert("RGB").crop((300, 400, 360, 440))  # (left, top, right, bottom): 40 x 60
for mode in MODES:
    for h, w in [(97, 31), (13, 150), (40, 60)]:
        pixels = np.asarray(transforms.functional.resize(patch, [h, w], interpolation=MODES[mode]), dtype=np.uint8)
        np.save(os.path.join(OUT, "patch_%s_%dx%d_u8.npy" % (mode, h, w)), pixels)
        print("patch", mode, h, w)
