#!/usr/bin/env bash
# The SIMD CPU kernel tests again with the wide instruction sets switched off in the runtime, so that the Vector256
# and Vector128 code paths run for real on an AVX-512 machine (kernels that test Vector512.IsHardwareAccelerated
# themselves, Auto-width dispatch, the GEMM micro-kernel choice), not only where a test forces a narrower SimdWidth.
#
#   scripts/test-narrow-isa.sh [--no-build]      (.ci/run calls it after its own `dotnet test tests`, with --no-build)
#
# Legs (.NET 10 honours DOTNET_EnableAVX512 and DOTNET_EnableAVX2; the older DOTNET_EnableAVX512F is silently
# ignored, see /work/shared/notes/cpu.md):
#   DOTNET_EnableAVX512=0   Vector512 off: the AVX2 (Vector256) paths
#   DOTNET_EnableAVX2=0     AVX2 and FMA off: the Vector128 (SSE) paths, FusedMultiplyAdd emulated in software
# Each leg first prints what the runtime gives (`nativecam device`: its width is read from
# Vector512/Vector256/Vector128.IsHardwareAccelerated) and fails if the switch did not narrow it, so a variable the
# runtime stops honouring cannot make the leg test the wide path twice. Ends with "narrow-isa: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" != "--no-build" ]; then dotnet build tests -c Debug -v q || exit 1; fi
cli=tests/bin/Debug/net10.0/nativecam.dll
filter="FullyQualifiedName~CpuKernelTests|FullyQualifiedName~SgemmTests|FullyQualifiedName~CpuConvTests+Simd"
filter+="|FullyQualifiedName~DepthwiseConvTests|FullyQualifiedName~ConvIndirectTests|FullyQualifiedName~CpuCamKernelTests"
filter+="|FullyQualifiedName~CpuHeatmapKernelTests|FullyQualifiedName~CpuLetterboxTests"
passed=0; failed=0; status=0
for leg in "DOTNET_EnableAVX512=0|Vector256|Vector512" "DOTNET_EnableAVX2=0|Vector128|Vector256\|Vector512"; do
  IFS='|' read -r var expect forbid <<<"$leg"
  described=$(env "$var" dotnet "$cli" device --device cpu 2>&1 | tail -1)
  echo "narrow-isa: $var -> $described"
  if echo "$described" | grep -q "$forbid" || ! echo "$described" | grep -q "$expect"; then
    echo "narrow-isa: $var did not narrow the vectors to $expect: FAILED"; failed=$((failed + 1)); status=1; continue
  fi
  log=$(mktemp)
  env "$var" dotnet test tests --no-build --filter "$filter" 2>&1 | tee "$log"
  leg_status=${PIPESTATUS[0]}
  p=$(grep -oE 'Passed: +[0-9]+' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  f=$(grep -oE 'Failed: +[0-9]+' "$log" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}')
  rm -f "$log"
  if [ "$leg_status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  [ "$leg_status" -ne 0 ] && status=1
  echo "narrow-isa: $var: $p passed, $f failed"
  passed=$((passed + p)); failed=$((failed + f))
done
echo "narrow-isa: $passed passed, $failed failed"
exit "$status"
