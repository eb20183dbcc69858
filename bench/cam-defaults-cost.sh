#!/usr/bin/env bash
# detect-cam's compute time (forward + backward + maps, from report.json's timings_ms) with the defaults of
# docs/cam-defaults.md against the old defaults (gradcam, --layer auto, --target cell), alternately in one run.
# Usage: bash bench/cam-defaults-cost.sh [rounds]   (name the CPU, `lscpu`, beside the figures)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
dotnet build src/Cli -c Release -v q >/dev/null
tool=src/Cli/bin/Release/net10.0/nativecam
out=$(mktemp -d)
for i in $(seq "$rounds"); do
  "$tool" detect-cam samples/bus.jpg samples/zidane.jpg --device cpu --out "$out/o$i" --json \
    --method gradcam --layer auto --target cell > "$out/old$i.json" 2>/dev/null
  "$tool" detect-cam samples/bus.jpg samples/zidane.jpg --device cpu --out "$out/n$i" --json > "$out/new$i.json" 2>/dev/null
done
python3 - "$out" "$rounds" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
for im in (0, 1):
    med = {}
    for v in ("old", "new"):
        c = [sum(json.load(open(f"{out}/{v}{i}.json"))[im]["timings_ms"][k] for k in ("forward", "backward", "cam")) for i in range(1, rounds + 1)]
        med[v] = statistics.median(c)
    name = json.load(open(f"{out}/old1.json"))[im]["image"]
    print(f"{name}: old {med['old']:.1f} ms, new {med['new']:.1f} ms, ratio {med['new'] / med['old']:.2f}")
PY
rm -rf "$out"
