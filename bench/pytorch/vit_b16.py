"""PyTorch side of the ViT-B/16 benchmark: the same work as `dotnet run -c Release --project bench -- vit N`.

torchvision's vit_b_16 with random weights (no download), one 224x224 image, 2 threads, float32, CPU:
forward under no_grad, and forward + backward of one class logit to the activations with the weights
frozen (NativeCam's pass likewise computes no weight gradients). Prints first run, later runs, best, and
the peak resident memory of the process. Run: /usr/bin/python3 bench/pytorch/vit_b16.py [repeats]
"""
import resource
import sys
import time

import torch
import torchvision

repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 2
torch.set_num_threads(2)
torch.manual_seed(0)
model = torchvision.models.vit_b_16(weights=None).eval()
for p in model.parameters():
    p.requires_grad_(False)
x = torch.rand(1, 3, 224, 224)


def forward():
    with torch.no_grad():
        model(x)


def forward_backward():
    xi = x.clone().requires_grad_(True)
    model(xi)[0, 207].backward()


for name, fn in [("forward", forward), ("forward+backward (K=1, to the activations)", forward_backward)]:
    times = []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    later = ", ".join(f"{v:.2f}" for v in times[1:])
    print(f"PyTorch {torch.__version__} ViT-B/16 224 {name}: first {times[0]:.2f} s, then {later} s (best {min(times[1:] or times):.2f} s)")
print(f"PyTorch peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB (whole process)")
