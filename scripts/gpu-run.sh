#!/usr/bin/env bash
# NativeCam for a machine without .NET (issue #9: the lent GPU machine has the NVIDIA driver, CUDA and PyTorch, no
# .NET): publishes `nativecam` (src/Cli), the test suite and the benchmarks self-contained for linux-x64 into one
# folder (one copy of the runtime, no pdbs), adds run.sh, and packs it with `tar cJf` as .gpu/nativecam-gpu.tar.xz
# (git-ignored). The package holds no data: the device tool runs in a copy of the working tree, which has samples/
# and tests/fixtures/, so the package is unpacked inside that copy, at .gpu/nc, where the tests and benchmarks
# find the repository root (NativeCam.sln) by walking up from their folder; app/samples and app/fixtures are links
# to the tree's. That keeps package + tree under the device tool's 64 MiB (both sizes are printed).
#
#   bash scripts/gpu-run.sh            build the package and print its size
#   bash scripts/gpu-run.sh --check    ... then copy the working tree (what the device tool sends) into an empty
#                                      folder, unpack the package there and run `run.sh check` with
#                                      NATIVECAM_DEVICE=cpu under `env -i PATH=/usr/bin:/bin`, the .NET install
#                                      hidden by a private mount namespace: no dotnet anywhere, as on the GPU machine
#
# On the GPU machine, the `device` tool's run (it starts in the repository root):
#   carry:   [".gpu/nativecam-gpu.tar.xz"]
#   command: mkdir -p .gpu/nc && tar xJf .gpu/nativecam-gpu.tar.xz -C .gpu/nc && NATIVECAM_DEVICE=cuda .gpu/nc/run.sh all 2>&1 | tee $OUT/gpu-run.log
# `run.sh all` prints the device, runs the whole test suite, detect-cam on bus.jpg (into .gpu/nc/out) and the
# end-to-end timings as JSON (`bench e2e 3 $NATIVECAM_DEVICE`); `run.sh tests [--filter TEXT]...`,
# `run.sh nativecam ARGS...` and `run.sh bench ARGS...` run one part (`bench` sets NATIVECAM_BENCH_INPROCESS=1:
# BenchmarkDotNet then runs the suites in its own process, as there is no SDK to build a host project with).
#
# The tests: `dotnet test` needs the SDK and the xunit console runner needs a `dotnet` host, so the suite is
# published as its own program, scripts/test-runner (xunit's v2 engine driven in-process; it prints
# "N passed, N failed, N skipped"). The CLI tests start `dotnet nativecam.dll ARGS`: run.sh puts a `dotnet` shim
# first on PATH that starts the self-contained apphost next to that dll instead.
# With NATIVECAM_DEVICE=cuda the tests run on the GPU (tests/Support/TestDevice.cs: Default is the named device; the
# op tests pair the SIMD CPU backend with the ILGPU kernels on that GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
package=.gpu/nativecam-gpu.tar.xz
stage=$(mktemp -d)
check=""
trap 'rm -rf "$stage" $check' EXIT
nc="$stage/nc"
mkdir -p "$nc/app" "$nc/bin" .gpu

# One folder for the three programs: the runtime and libraries are shared; no pdbs, English resources only.
# The test runner gets nativecam through the tests' project reference in both its framework-dependent and its
# self-contained build (same file names): that duplicate is allowed there, and src/Cli is published last so that
# its self-contained nativecam.runtimeconfig.json and deps.json are the ones that stay.
for project in scripts/test-runner bench src/Cli; do
    echo "publishing $project" >&2
    dotnet publish "$project" -c Release -r linux-x64 --self-contained -o "$nc/app" -nologo -v quiet \
        -p:DebugType=none -p:SatelliteResourceLanguages=en -p:ErrorOnDuplicatePublishOutputFiles=false \
        >"$stage/publish.log" 2>&1 || { cat "$stage/publish.log"; exit 1; }
done
grep -q '"includedFrameworks"' "$nc/app/nativecam.runtimeconfig.json" # self-contained, not framework-dependent

# The data comes from the working tree the package is unpacked in (<repo>/.gpu/nc/app/x -> <repo>/x).
rm -rf "$nc/app/fixtures" "$nc/app/samples"
ln -s ../../../tests/fixtures "$nc/app/fixtures"
ln -s ../../../samples "$nc/app/samples"

cat >"$nc/bin/dotnet" <<'EOF'
#!/bin/sh
# Stands in for `dotnet APP.dll ARGS...` (tests/CliProcess.cs) where .NET is not installed: runs the
# self-contained apphost published next to APP.dll.
case "$1" in
*.dll) app=${1%.dll}; shift; exec "$app" "$@" ;;
*) echo "dotnet shim (scripts/gpu-run.sh): only 'dotnet APP.dll ARGS' is supported, not: dotnet $*" >&2; exit 127 ;;
esac
EOF

cat >"$nc/run.sh" <<'EOF'
#!/bin/sh
# NativeCam, self-contained for linux-x64 (made by scripts/gpu-run.sh); needs no .NET. Unpack it at
# <NativeCam working tree>/.gpu/nc: the tests and benchmarks read that tree's samples/ and tests/fixtures/.
# run.sh all | check | tests [--filter TEXT]... | nativecam ARGS... | bench ARGS...
# The device comes from NATIVECAM_DEVICE (cuda, cpu, ...); outputs go to .gpu/nc/out.
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [ ! -f "$repo/NativeCam.sln" ] || [ ! -d "$repo/tests/fixtures" ]; then
    echo "run.sh: unpack this package at <NativeCam working tree>/.gpu/nc (no NativeCam.sln at $repo)" >&2
    exit 2
fi
export PATH="$here/bin:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cd "$repo"
what=${1:-all}
[ $# -gt 0 ] && shift
device=${NATIVECAM_DEVICE:-auto}
app="$here/app"
case "$what" in
tests) exec "$app/nativecam-tests" "$@" ;;
nativecam) exec "$app/nativecam" "$@" ;;
bench) export NATIVECAM_BENCH_INPROCESS=1; exec "$app/NativeCam.Bench" "$@" ;;
all | check)
    status=0
    mkdir -p "$here/out"
    echo "== nativecam device"; "$app/nativecam" device || status=1
    echo "== tests"; "$app/nativecam-tests" || status=1
    echo "== nativecam detect-cam samples/bus.jpg"; "$app/nativecam" detect-cam samples/bus.jpg --out "$here/out" || status=1
    if [ "$what" = all ]; then
        echo "== bench e2e 3 $device"; "$app/NativeCam.Bench" e2e 3 "$device" --out "$here/out/e2e.json" || status=1
    else
        echo "== bench e2e 0 $device --works yolov5n_forward"
        "$app/NativeCam.Bench" e2e 0 "$device" --works yolov5n_forward --out "$here/out/e2e.json" >/dev/null || status=1
    fi
    echo "== run.sh $what: $([ $status -eq 0 ] && echo ok || echo FAILED)"
    exit $status ;;
*) echo "usage: run.sh all | check | tests [--filter TEXT]... | nativecam ARGS... | bench ARGS..." >&2; exit 2 ;;
esac
EOF
chmod +x "$nc/bin/dotnet" "$nc/run.sh"

echo "packing $(du -sh "$nc" | cut -f1) into $package" >&2
XZ_OPT=-9 tar cJf "$package" -C "$nc" .
size=$(stat -c %s "$package")
tree=$(git ls-files -co --exclude-standard -z | xargs -0 du -cb | tail -1 | cut -f1)
echo "$package: $((size / 1048576)) MiB ($size bytes); with the working tree ($((tree / 1048576)) MiB): $(((size + tree) / 1048576)) MiB of the device tool's 64 MiB"
[ $((size + tree)) -lt $((64 * 1048576)) ] || { echo "too big for the device tool's 64 MiB" >&2; exit 1; }

if [ "${1:-}" = "--check" ]; then
    check=$(mktemp -d)
    echo "checking in $check: a copy of the working tree, no .NET visible, env -i PATH=/usr/bin:/bin, NATIVECAM_DEVICE=cpu" >&2
    git ls-files -co --exclude-standard -z | tar --null -T - -cf - | tar xf - -C "$check"
    mkdir -p "$check/.gpu"
    cp "$package" "$check/$package"
    hide=""
    for d in /usr/share/dotnet /usr/lib/dotnet /opt/nuget "$HOME/.dotnet" "$HOME/.nuget"; do
        if [ -d "$d" ]; then hide="$hide mount -t tmpfs none $d &&"; fi
    done
    run="cd $check && mkdir -p .gpu/nc && tar xJf $package -C .gpu/nc && NATIVECAM_DEVICE=cpu .gpu/nc/run.sh check"
    if unshare -m true 2>/dev/null; then
        unshare -m env -i PATH=/usr/bin:/bin HOME="$check" sh -c "$hide ! command -v dotnet && $run"
    else
        echo "(unshare not permitted: the .NET install stays visible, only the environment is cut down)" >&2
        env -i PATH=/usr/bin:/bin HOME="$check" sh -c "$run"
    fi
fi
