#!/usr/bin/env bash
# Regenerates the README gallery with the tool itself: detect-cam on the bundled samples, contact sheets copied here.
# NATIVECAM="dotnet src/Cli/bin/Debug/net10.0/nativecam.dll" uses an already built tool instead of building Release.
set -euo pipefail
cd "$(dirname "$0")/../.."
read -r -a nativecam <<< "${NATIVECAM:-dotnet run --project src/Cli -c Release --}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"${nativecam[@]}" detect-cam samples/bus.jpg samples/zidane.jpg --out "$out" --device cpu
cp "$out/bus/sheet.jpg" docs/gallery/bus_sheet.jpg
cp "$out/zidane/sheet.jpg" docs/gallery/zidane_sheet.jpg
