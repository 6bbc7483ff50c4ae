#!/usr/bin/env bash
# tests/fuzz/run_regressions.sh BUILD_DIR - replay the fuzz seed corpora and the saved crash
# inputs (tests/fuzz/corpus/TARGET/, tests/fuzz/regressions/TARGET/) through each fuzz target,
# built without libFuzzer: g++ -fsanitize=address,undefined with tests/fuzz/replay_main.cpp,
# in BUILD_DIR/fuzz/replay/. One process per input; exit status nonzero if any input fails
# (crash, leak, sanitizer report, unexpected exception, broken invariant) or the build fails.
# Usable as a ctest: add_test(NAME fuzz_regressions COMMAND tests/fuzz/run_regressions.sh
# ${CMAKE_BINARY_DIR}). Environment: CXX (default g++).
set -euo pipefail

if [[ ${1:-} == -h || ${1:-} == --help || $# -ne 1 ]]; then
  sed -n '2,8s/^# \{0,1\}//p' "$0"
  [[ $# -eq 1 ]] && exit 0 || exit 2
fi
build=$1
[[ $build == /* ]] || build=$PWD/$build
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$build/fuzz/replay
mkdir -p "$out"

# The fuzz targets: NAME and its source (as in tests/fuzz/CMakeLists.txt).
declare -A sources=(
  [idx]=idx_fuzz.cpp
  [checkpoint]=checkpoint_fuzz.cpp
)

cxx=${CXX:-g++}
# shellcheck disable=SC2054  # the commas belong to -fsanitize=
flags=(-std=c++20 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -I"$root/include")
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=0 total=0
for target in $(printf '%s\n' "${!sources[@]}" | sort); do
  binary=$out/staticnet_fuzz_${target}_replay
  src=$here/${sources[$target]}
  # Rebuild when the binary is missing or older than the sources or any staticnet header.
  if [[ ! -x $binary ]] ||
     [[ -n $(find "$src" "$here/replay_main.cpp" "$root/include" -newer "$binary" -type f -print -quit) ]]; then
    echo "run_regressions: building $binary" >&2
    "$cxx" "${flags[@]}" "$src" "$here/replay_main.cpp" -o "$binary.tmp" -lz
    mv -f "$binary.tmp" "$binary"
  fi
  inputs=()
  for dir in "$here/corpus/$target" "$here/regressions/$target"; do
    [[ -d $dir ]] || continue
    while IFS= read -r -d '' f; do inputs+=("$f"); done \
      < <(find "$dir" -maxdepth 1 -type f ! -name '*.md' -print0 | sort -z)
  done
  for f in "${inputs[@]}"; do
    total=$((total + 1))
    if ! log=$("$binary" "$f" 2>&1); then
      failed=$((failed + 1))
      echo "run_regressions: FAILED: $target ${f#"$root"/}" >&2
      printf '%s\n' "$log" | tail -n 40 >&2
    fi
  done
done
if ((failed)); then
  echo "run_regressions: $failed of $total inputs FAILED"
  exit 1
fi
echo "run_regressions: all $total inputs passed"
