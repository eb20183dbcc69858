#!/usr/bin/env bash
# ViT-B/16 at 224, NativeCam (ILGPU CPU accelerator) and PyTorch on the same machine, one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2}
dotnet run -c Release --project bench -- vit "$n"
/usr/bin/python3 bench/pytorch/vit_b16.py "$n"
update-alternatives --display libblas.so.3-x86_64-linux-gnu 2>/dev/null | head -2 || true
