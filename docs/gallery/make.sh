#!/usr/bin/env bash
# Regenerates the README gallery with the tool itself: detect-cam on the bundled samples, contact sheets copied here.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
dotnet run --project src/Cli -c Release -- detect-cam samples/bus.jpg samples/zidane.jpg --out "$out"
cp "$out/bus/sheet.jpg" docs/gallery/bus_sheet.jpg
cp "$out/zidane/sheet.jpg" docs/gallery/zidane_sheet.jpg
rm -rf "$out"
