"""Writes tests/fixtures/vit/zidane_vit32.npy: samples/zidane.jpg through torchvision's ViT ImageNet transform at
crop 32 (resize 36 = 32*256//224, bilinear with antialias on the PIL image, centre crop 32, ImageNet mean/std),
shape [1, 3, 32, 32] float32. Run with /usr/bin/python3 from the repository root."""
import numpy as np
from PIL import Image
from torchvision import transforms

t = transforms.Compose([
    transforms.Resize(32 * 256 // 224, interpolation=transforms.InterpolationMode.BILINEAR),
    transforms.CenterCrop(32),
    transforms.ToTensor(),
    transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
])
x = t(Image.open("samples/zidane.jpg").convert("RGB")).unsqueeze(0).numpy().astype(np.float32)
np.save("tests/fixtures/vit/zidane_vit32.npy", x)
print(x.shape, float(x.min()), float(x.max()))
