#!/usr/bin/env bash
# Builds the two libFuzzer targets (tests/fuzz) with Debian's clang and runs each for a bounded time on a seed
# corpus from configs/ and tests/. tools/test.sh calls it after ctest. The normal build never needs clang: this
# script compiles the few sources the targets use on its own, into ${STRUCTLAB_FUZZ_DIR:-build-fuzz}.
#   STRUCTLAB_FUZZ_SECONDS  seconds per target (default 60; 0 skips fuzzing)
# A crash leaves its input as build-fuzz/<target>-crash-*; turn it into a regression test (tests/unit/...).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${STRUCTLAB_FUZZ_SECONDS:-60}"
out="${STRUCTLAB_FUZZ_DIR:-build-fuzz}"
if [ "$seconds" = 0 ]; then echo "fuzz: skipped (STRUCTLAB_FUZZ_SECONDS=0)"; exit 0; fi
clang="$(command -v clang++-14 || command -v clang++ || true)"
if [ -z "$clang" ]; then echo "fuzz: clang++ not found; tools/setup.sh installs clang and libclang-rt-14-dev" >&2; exit 1; fi
mkdir -p "$out"

flags=(-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -Iframework/include -Iframework/src $(pkg-config --cflags yaml-cpp 2>/dev/null || true))
core=(framework/src/core/error.cpp framework/src/core/plain_text.cpp framework/src/core/memory_limit.cpp
      framework/src/core/random.cpp)
graph=(framework/src/graph/io.cpp framework/src/graph/io_dot.cpp framework/src/graph/io_edgelist.cpp
       framework/src/graph/io_graphml.cpp framework/src/graph/io_json.cpp framework/src/graph/io_limits.cpp
       framework/src/graph/size_estimate.cpp framework/src/graph/layered_graph.cpp framework/src/graph/cycle.cpp)
spec=(framework/src/spec/document.cpp framework/src/spec/schema.cpp framework/src/spec/yaml_value.cpp
      framework/src/spec/value_text.cpp framework/src/core/params.cpp framework/src/plugin/kind.cpp
      framework/src/graph/metrics_mode.cpp framework/src/prune/options.cpp)

build() {  # target, sources...
  local target="$1"; shift
  local sources=()
  for source in "$@"; do [ -f "$source" ] && sources+=("$source"); done
  if [ ! -x "$out/$target" ] || [ -n "$(find "${sources[@]}" tests/fuzz framework/include -newer "$out/$target" -print -quit)" ]; then
    echo "fuzz: building $target"
    "$clang" "${flags[@]}" "${sources[@]}" -o "$out/$target" -lyaml-cpp -lfmt -lboost_graph
  fi
}
build fuzz_graph_readers tests/fuzz/fuzz_graph_readers.cpp "${core[@]}" "${graph[@]}"
build fuzz_spec_loader tests/fuzz/fuzz_spec_loader.cpp "${core[@]}" "${spec[@]}" "${graph[@]}"

# seed corpora: graph files and specs kept in the repository (the first byte of a graph seed picks its format)
mkdir -p "$out/corpus-graph" "$out/corpus-spec"
cp configs/*.yaml tests/fuzz/seeds/spec/* "$out/corpus-spec/" 2>/dev/null || true
for seed in tests/fuzz/seeds/graph/*; do
  case "$seed" in
    *.graphml) prefix=1 ;; *.dot) prefix=2 ;; *.json) prefix=3 ;; *) prefix=0 ;;
  esac
  { printf "\\x3$prefix"; cat "$seed"; } > "$out/corpus-graph/$(basename "$seed")"
done

status=0
for target in fuzz_graph_readers fuzz_spec_loader; do
  corpus="$out/corpus-${target#fuzz_}"; corpus="${corpus%_readers}"; corpus="${corpus%_loader}"
  echo "fuzz: $target for ${seconds}s on $(ls "$corpus" | wc -l) seeds"
  if ! (cd "$out" && ASAN_OPTIONS=detect_leaks=0 "./$target" -max_total_time="$seconds" -timeout=10 \
          -rss_limit_mb=4096 -max_len=200000 -artifact_prefix="$target-" -print_final_stats=1 \
          "$(basename "$corpus")" 2>&1 | tail -n 15); then
    echo "fuzz: $target found a crash; its input is in $out/$target-crash-* (make it a regression test)" >&2
    status=1
  fi
done
exit $status
