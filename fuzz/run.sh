#!/usr/bin/env bash
# Fuzzes NativeCam's parsers of hostile files with AFL++ and SharpFuzz.
#   fuzz/run.sh TARGET|all SECONDS [TIMEOUT_MS]
# TARGET: jpeg image zip pickle pt npy yaml (see fuzz/NativeCam.Fuzz/Targets.cs), or all of them one after another.
# Each target runs afl-fuzz for SECONDS from fuzz/corpus/TARGET; findings go to fuzz/findings/TARGET.
# Limits: an input that runs longer than TIMEOUT_MS (default 10000) is a hang; the managed heap is capped at
# FUZZ_HEAP_MB (default 1024) MiB, so an allocation beyond it is an OutOfMemoryException and counts as a crash.
# FUZZ_RESUME=1 continues a previous run's queue in fuzz/findings instead of starting afresh.
# Prints one "fuzz TARGET: ..." line per target and exits 1 if any target found a crash or a hang.
set -uo pipefail
cd "$(dirname "$0")/.."
targets_all="jpeg image zip pickle pt npy yaml"
target=${1:?usage: fuzz/run.sh TARGET|all SECONDS [TIMEOUT_MS]}
seconds=${2:?usage: fuzz/run.sh TARGET|all SECONDS [TIMEOUT_MS]}
timeout_ms=${3:-10000}
heap_mb=${FUZZ_HEAP_MB:-1024}
[ "$target" = all ] && target=$targets_all

if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz: installing afl++ (Debian package)"
  { apt-get update -qq && apt-get install -y -qq afl++; } >/dev/null 2>&1 || { echo "fuzz: cannot install afl++ (apt-get install afl++ as root)"; exit 1; }
fi
dotnet tool restore >/dev/null || { echo "fuzz: dotnet tool restore failed (SharpFuzz.CommandLine)"; exit 1; }

# Build once into a fresh folder and instrument the assemblies that parse files (sharpfuzz rewrites them in place).
build=fuzz/.build
rm -rf "$build"; mkdir -p fuzz/findings
dotnet build fuzz/NativeCam.Fuzz -c Release -o "$build" -p:UseAppHost=false >fuzz/findings/build.log 2>&1 || { tail -20 fuzz/findings/build.log; echo "fuzz: build failed"; exit 1; }
for dll in NativeCam.Imaging NativeCam.Yolo NativeCam.WeightConverter NativeCam.Tensors NativeCam.Layers SixLabors.ImageSharp MessagePack; do
  dotnet sharpfuzz "$build/$dll.dll" >/dev/null || { echo "fuzz: sharpfuzz could not instrument $dll.dll"; exit 1; }
done

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_FAST_CAL=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_AUTORESUME=1
export DOTNET_GCHeapHardLimit=$(printf '0x%x' $((heap_mb << 20))) DOTNET_TieredPGO=0
status=0
for t in $target; do
  [ -d "fuzz/corpus/$t" ] || { echo "fuzz $t: no corpus folder fuzz/corpus/$t"; status=1; continue; }
  out=fuzz/findings/$t
  [ "${FUZZ_RESUME:-0}" = 1 ] || rm -rf "$out" # a fresh run by default: old findings must not fail a new one
  mkdir -p "$out"
  afl-fuzz -i "fuzz/corpus/$t" -o "$out" -t "$timeout_ms" -m none -V "$seconds" \
    -- dotnet "$build/NativeCam.Fuzz.dll" afl "$t" >"$out/afl.log" 2>&1
  rc=$?
  stats=$out/default/fuzzer_stats
  execs=$(awk -F' *: *' '$1=="execs_done"{print $2}' "$stats" 2>/dev/null)
  paths=$(awk -F' *: *' '$1=="corpus_count"{print $2}' "$stats" 2>/dev/null)
  crashes=$(find "$out/default/crashes" -type f ! -name README.txt 2>/dev/null | wc -l)
  hangs=$(find "$out/default/hangs" -type f 2>/dev/null | wc -l)
  if [ "$rc" -ne 0 ] || [ -z "$execs" ]; then
    tail -15 "$out/afl.log"; echo "fuzz $t: FAILED (afl-fuzz exited $rc)"; status=1
  elif [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
    echo "fuzz $t: FAILED, $crashes crashes and $hangs hangs in $execs executions (inputs in $out/default/crashes and hangs;"
    echo "  reproduce uninstrumented: dotnet run --project fuzz/NativeCam.Fuzz -- replay $t FILE)"; status=1
  else
    echo "fuzz $t: ok, $execs executions in ${seconds}s, $paths paths, no crash or hang"
  fi
done
exit $status
