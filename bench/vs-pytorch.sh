#!/usr/bin/env bash
# NativeCam vs PyTorch on this machine's CPU, end to end, one run after the other:
#   bench/pytorch/e2e.py (Debian's torch 1.13 through /usr/bin/python3, 2 threads) and `bench -- e2e` (Release
#   build), two passes each, alternately (PyTorch, NativeCam, PyTorch, NativeCam; per work and side the better pass
#   counts, so a burst of load on the shared machine hurts neither side alone), do the same work: yolov5n/yolov5s forward at 640, detect-cam compute on bus.jpg,
#   ViT-B/16 forward and forward + full backward; each one warm-up run, then REPEATS runs, median.
# Prints one markdown table (work | PyTorch | NativeCam | ratio | target | met?) with the machine, the BLAS torch
# loaded and the date, and writes it to bench/results/vs-pytorch-cpu.md (both JSONs: vs-pytorch-cpu.json).
#
# Usage: bench/vs-pytorch.sh [REPEATS] [DEVICES] [--classifiers|--perturbation]     e.g. bench/vs-pytorch.sh 5 cpu --classifiers
#   REPEATS  timed runs per work after the warm-up (default 5)
#   DEVICES  NativeCam devices (default cpu); `cpu,ilgpu-cpu:1` adds the ILGPU simulator with 1 run per work
#   --classifiers  also resnet50 / mobilenet_v2 forward and resnet50 Grad-CAM (top 1, top 5) against
#            pytorch-grad-cam 1.5.5: exports the seeded models into bench/onnx/ first if needed, and imports
#            pytorch-grad-cam from $PYTORCH_GRAD_CAM (default /tmp/pgc; see bench/README.md)
#   --perturbation  only resnet50 Score-CAM and Ablation-CAM at layer4 against pytorch-grad-cam's ScoreCAM/AblationCAM
#            with their default batches (2048 channels each: about a minute per PyTorch run; use REPEATS 1); the table
#            goes to bench/results/vs-pytorch-perturbation.md
# The machine is shared: the load average before each side is in the output; re-run when it is high.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-5}
devices=${2:-cpu}
works_pt=(); works_nc=()
result=vs-pytorch-cpu
if [ "${3:-}" = "--perturbation" ]; then
    works_pt=(--works resnet50_scorecam,resnet50_ablationcam); works_nc=("${works_pt[@]}"); result=vs-pytorch-perturbation
    export PYTHONPATH="${PYTORCH_GRAD_CAM:-/tmp/pgc}${PYTHONPATH:+:$PYTHONPATH}"
    /usr/bin/python3 -c "import pytorch_grad_cam" 2>/dev/null \
        || { echo "error: pytorch-grad-cam is not importable from ${PYTORCH_GRAD_CAM:-/tmp/pgc} (bench/README.md)" >&2; exit 2; }
    grep -q '"resnet50"' bench/onnx/manifest.json 2>/dev/null || /usr/bin/python3 bench/pytorch/export_onnx.py --models resnet50
elif [ "${3:-}" = "--classifiers" ]; then
    classifiers=resnet50_forward,mobilenet_v2_forward,resnet50_gradcam_1,resnet50_gradcam_5
    works_pt=(--works "yolov5n_forward,yolov5s_forward,detect_cam,detect_cam_lean,vit_forward,vit_forward_backward,$classifiers,resnet50_gradcam_5_batch")
    works_nc=(--works "yolov5n_forward,yolov5s_forward,detect_cam,vit_forward,vit_forward_backward,$classifiers")
    export PYTHONPATH="${PYTORCH_GRAD_CAM:-/tmp/pgc}${PYTHONPATH:+:$PYTHONPATH}"
    /usr/bin/python3 -c "import pytorch_grad_cam" 2>/dev/null \
        || { echo "error: pytorch-grad-cam is not importable from ${PYTORCH_GRAD_CAM:-/tmp/pgc} (bench/README.md)" >&2; exit 2; }
    grep -q '"mobilenet_v2"' bench/onnx/manifest.json 2>/dev/null && grep -q '"resnet50"' bench/onnx/manifest.json \
        || /usr/bin/python3 bench/pytorch/export_onnx.py --models resnet50,mobilenet_v2
fi
python=/usr/bin/python3 # Debian's python3-torch; the python3 first on PATH has no torch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet build -c Release bench -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

# Two passes per side, alternately; the table takes the better pass per work and side.
load() { cut -d' ' -f1-3 /proc/loadavg; }
loads=""
for pass in 1 2; do
    l=$(load); loads="$loads; before PyTorch pass $pass: $l"
    echo "== PyTorch, pass $pass (load average $l)" >&2
    "$python" bench/pytorch/e2e.py "$repeats" "${works_pt[@]}" --out "$work/pytorch$pass.json" >/dev/null
    l=$(load); loads="$loads; before NativeCam pass $pass: $l"
    echo "== NativeCam, pass $pass (load average $l)" >&2
    dotnet bench/bin/Release/net10.0/NativeCam.Bench.dll e2e "$repeats" "$devices" "${works_nc[@]}" --out "$work/nativecam$pass.json" >/dev/null
done

model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
model="$model (CPU family $(lscpu | sed -n 's/^CPU family: *//p' | head -1), model $(lscpu | sed -n 's/^Model: *//p' | head -1))"
blas_alt=$(update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | sed -n 's/^Value: *//p')
simd=$(grep -qw avx512f /proc/cpuinfo && echo "AVX-512" || (grep -qw avx2 /proc/cpuinfo && echo "AVX2" || echo "no AVX2"))
machine="$model, $(nproc) cores, $simd, $(free -g | awk '/^Mem:/ {print $2}') GiB; $(date -u '+%Y-%m-%d %H:%M UTC')"
notes="Load average (1/5/15 min)${loads#;} (the cores are shared with other work)."
[ -n "$blas_alt" ] && notes="$notes Debian's libblas.so.3 alternative: $blas_alt."
# Only the first reading is other work's: the later ones include this script's own previous pass (2 busy threads).
first=$(echo "$loads" | sed -n 's/^; before PyTorch pass 1: \([0-9.]*\).*/\1/p')
busy=$(awk -v l="$first" -v n="$(nproc)" 'BEGIN { print (l > n) ? 1 : 0 }')
[ "$busy" = 1 ] && notes="$notes **The 1-minute load average before the first pass exceeded the $(nproc) cores: other work shared them, so these timings (PyTorch's OpenMP threads especially) are not meaningful; re-run on a quiet machine.**"

# Peak memory of the Grad-CAM work alone: each side in a process of its own that loads resnet50 and explains the top
# class once after a warm-up (peak RSS: PyTorch's ru_maxrss, NativeCam's peak working set).
if [ "$result" = vs-pytorch-cpu ] && [ -n "${works_nc[*]}" ]; then
    pt_rss=$("$python" bench/pytorch/e2e.py 1 --works resnet50_gradcam_1 2>/dev/null | "$python" -c 'import json, sys; print(json.load(sys.stdin)["peak_rss_mib"])')
    nc_rss=$(dotnet bench/bin/Release/net10.0/NativeCam.Bench.dll e2e 1 cpu --works resnet50_gradcam_1 2>/dev/null | "$python" -c 'import json, sys; print(json.load(sys.stdin)["peak_rss_mib"])')
    notes="$notes Peak RSS of a process that loads resnet50 and runs its top-1 Grad-CAM (1 warm-up + 1 run; target: NativeCam ≤ PyTorch): PyTorch + pytorch-grad-cam $pt_rss MiB, NativeCam $nc_rss MiB."
fi

mkdir -p bench/results
{
    echo "# NativeCam vs PyTorch, CPU, end to end (bench/vs-pytorch.sh $repeats $devices${3:+ $3})"
    echo
    "$python" bench/pytorch/vs_table.py --pytorch "$work/pytorch1.json" --pytorch "$work/pytorch2.json" \
        --nativecam "$work/nativecam1.json" --nativecam "$work/nativecam2.json" --machine "$machine" --note "$notes"
} | tee "bench/results/$result.md"
"$python" -c 'import json, sys; print(json.dumps({"pytorch": [json.load(open(p)) for p in sys.argv[1:3]], "nativecam": [json.load(open(p)) for p in sys.argv[3:5]]}, indent=1))' \
    "$work/pytorch1.json" "$work/pytorch2.json" "$work/nativecam1.json" "$work/nativecam2.json" >"bench/results/$result.json"
