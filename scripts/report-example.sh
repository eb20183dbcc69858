#!/usr/bin/env bash
# Regenerates the example report.json in docs/report.md from a real run: detect-cam on samples/bus.jpg with
# --dump-maps --metrics, cut to the first detection and its map (the rest repeat the shape). The test
# ReportDocTests checks that the example still has the keys and shape of a real run, so a schema change fails the
# suite until this script is run again.
# NATIVECAM="dotnet src/Cli/bin/Debug/net10.0/nativecam.dll" uses an already built tool instead of building Release.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a nativecam <<< "${NATIVECAM:-dotnet run --project src/Cli -c Release --}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"${nativecam[@]}" detect-cam samples/bus.jpg --out "$out" --device cpu --dump-maps --metrics >/dev/null
/usr/bin/python3 - "$out/bus/report.json" docs/report.md <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
report["detections"] = report["detections"][:1]
report["maps"] = report["maps"][:1]
text = json.dumps(report, indent=2)
# Short arrays of numbers on one line, as a person writes them.
text = re.sub(r"\[\s+([-0-9.e, \n]+?)\s+\]", lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]", text)
doc = open(sys.argv[2]).read()
begin, end = "<!-- report-example: begin (scripts/report-example.sh) -->\n```json\n", "```\n<!-- report-example: end -->"
start, stop = doc.index(begin) + len(begin), doc.index(end)
open(sys.argv[2], "w").write(doc[:start] + text + "\n" + doc[stop:])
PY
echo "docs/report.md: example regenerated"
