#!/usr/bin/env bash
# Renders the index.html of a detect-cam folder run in headless Chromium (Debian's `chromium`) and writes the
# screenshot to docs/gallery/index.jpg: proof that the page shows offline, from file://, with nothing but the folder.
# NATIVECAM="dotnet src/Cli/bin/Debug/net10.0/nativecam.dll" uses an already built tool instead of building Release.
set -euo pipefail
cd "$(dirname "$0")/../.."
read -r -a nativecam <<< "${NATIVECAM:-dotnet run --project src/Cli -c Release --}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/in"
cp samples/bus.jpg samples/zidane.jpg "$work/in/"
"${nativecam[@]}" detect-cam "$work/in" --out "$work/out" --device cpu --dump-maps 2>"$work/stderr.txt"
grep -q ' -> .*index.html$' "$work/stderr.txt" || { cat "$work/stderr.txt" >&2; echo "no index.html written" >&2; exit 1; }
# --no-sandbox: the sandbox needs user namespaces, which containers often lack; the page is our own file.
HOME="$work" chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1100 \
    --screenshot="$work/index.jpg" "file://$work/out/index.html" >"$work/chromium.log" 2>&1 ||
    { cat "$work/chromium.log" >&2; exit 1; }
cp "$work/index.jpg" docs/gallery/index.jpg
ls -l docs/gallery/index.jpg
