#!/usr/bin/env bash
# NativeCam vs ONNX Runtime on this machine's CPU (issue #18 §1), one command:
#   1. builds the bench (Release; Microsoft.ML.OnnxRuntime 1.32.0 comes from NuGet);
#   2. exports the models to ONNX with Debian's torch 1.13 (bench/pytorch/export_onnx.py, opset 14) into
#      bench/onnx/ (git-ignored) unless they are there and newer than the script (--export forces it);
#   3. checks ONNX Runtime's outputs against PyTorch's (`bench -- ort-check`: max abs diff per output; stops on a failure);
#   4. times the works, NativeCam and ORT alternately in one process, with the measured fp32 peak and each side's
#      peak RSS (`bench -- vs-ort ROUNDS`), and profiles both per layer (`bench -- ort-profile`);
#   5. writes the table and the profiles to bench/results/vs-ort-cpu.md (the raw runs: vs-ort-cpu.json).
#   yolov8n and yolo11n are built with the official Ultralytics code: set ULTRALYTICS=DIR holding its `ultralytics`
#   package (not vendored, AGPL; docs/yolo.md says how such a directory is made); without it they are left out.
# Usage: bash bench/vs-ort.sh [ROUNDS] [--export] [--wait-load L]
#   ROUNDS        timed runs per side and work (default 7)
#   --export      re-export the models even when bench/onnx/ is up to date
#   --wait-load L before timing, wait (up to 10 minutes) until the 1-minute load average is below L
# The machine is shared: the load average is in the table; re-run when it is high (a busy machine slows ORT's
# 2 synchronised threads more than NativeCam's, so ratios measured under load flatter NativeCam).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=7
export_always=0
wait_load=""
while [ $# -gt 0 ]; do
    case "$1" in
        --export) export_always=1 ;;
        --wait-load) wait_load=$2; shift ;;
        *) rounds=$1 ;;
    esac
    shift
done
python=/usr/bin/python3 # Debian's python3-torch; the python3 first on PATH has no torch
bench=bench/bin/Release/net10.0/NativeCam.Bench.dll
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build -c Release bench -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
if [ "$export_always" = 1 ] || [ ! -f bench/onnx/manifest.json ] || [ bench/pytorch/export_onnx.py -nt bench/onnx/manifest.json ]; then
    echo "== exporting the models to bench/onnx/ (a few minutes)" >&2
    "$python" bench/pytorch/export_onnx.py 2> >(grep -v -i "warn\|^  \|^$" >&2)
fi
echo "== ONNX Runtime against PyTorch" >&2
dotnet "$bench" ort-check | tee "$work/check.txt" >&2
if [ -n "$wait_load" ]; then
    for _ in $(seq 120); do
        awk -v l="$wait_load" '{ exit !($1 < l) }' /proc/loadavg && break
        sleep 5
    done
fi
echo "== timing (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2
dotnet "$bench" vs-ort "$rounds" --out "$work/table.md" --json bench/results/vs-ort-cpu.json >/dev/null
echo "== per-layer profiles" >&2
dotnet "$bench" ort-profile 5 --out "$work/profile.md" >/dev/null

mkdir -p bench/results
{
    cat "$work/table.md"
    echo
    echo "ONNX Runtime's outputs against PyTorch's (\`bench -- ort-check\`, same run):"
    echo
    echo '```'
    cat "$work/check.txt"
    echo '```'
    echo
    echo "## Where NativeCam loses time against ORT"
    echo
    cat "$work/profile.md"
} >bench/results/vs-ort-cpu.md
cat bench/results/vs-ort-cpu.md
