"""Writes tests/fixtures/classifiers/<image>_224.npy: samples/bus.jpg and samples/zidane.jpg through torchvision's
ImageNet evaluation transform (Resize(256) bilinear on the PIL image, i.e. PIL's antialiased resample, CenterCrop(224),
ToTensor, Normalize(ImageNet mean, std)), shape [1, 3, 224, 224] float32.
Run with /usr/bin/python3 from the repository root."""
import numpy as np
from PIL import Image
from torchvision import transforms

t = transforms.Compose([
    transforms.Resize(256, interpolation=transforms.InterpolationMode.BILINEAR),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
])
for name in ("bus", "zidane"):
    x = t(Image.open("samples/%s.jpg" % name).convert("RGB")).unsqueeze(0).numpy().astype(np.float32)
    np.save("tests/fixtures/classifiers/%s_224.npy" % name, x)
    print(name, x.shape, float(x.min()), float(x.max()))
