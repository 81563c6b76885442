#!/usr/bin/env bash
# Pack benchmark: slugc pack side by side with `tar czf` and `tar | pigz -6` on the same tree.
# Reports wall time, CPU time, peak memory (GNU time) and size, as ratios against pigz -6 and
# against the size gzip -6 gives.
#
# Usage: Benchmarks/pack.sh [CORPUS_DIR]    (default: /tmp/slugc-bench-corpus/app, built by
#        make-corpus.sh when missing). SLUGC=path/to/slugc picks the binary (default
#        .build/release/slugc). Until `slugc pack` exists, the release test bundle's
#        SlugBenchmarkTests is run instead (swift build -c release --build-tests -Xswiftc -enable-testing).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:-/tmp/slugc-bench-corpus/app}"
[ -d "$corpus" ] || Benchmarks/make-corpus.sh "$(dirname "$corpus")"
if [ ! -x /usr/bin/time ]; then apt-get install -y time >/dev/null; fi
slugc="${SLUGC:-.build/release/slugc}"
xctest=".build/release/slugcPackageTests.xctest"
out="$(mktemp -d /tmp/slugc-bench-out.XXXXXX)"
trap 'rm -rf "$out"' EXIT

results=()
# measure NAME OUTPUT COMMAND...: runs once to warm the page cache, then measures the second run.
measure() {
  local name="$1" output="$2"; shift 2
  bash -c "$*" >/dev/null 2>&1 || true
  rm -rf "$output"
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" bash -c "$*" >/dev/null 2>"$out/err" || { cat "$out/err" >&2; exit 1; }
  read -r wall user sys rss < "$out/time"
  local size; size=$(stat -c %s "$output")
  results+=("$name;$wall;$(echo "$user + $sys" | bc);$((rss / 1024));$size")
}

slugc_pack() { # LEVEL SINGLE OUTPUT
  if "$slugc" pack --help 2>/dev/null | grep -q -- --gzip-single-member; then
    echo "$slugc pack '$corpus' -o '$3' --level $1 $([ "$2" = 1 ] && echo --gzip-single-member)"
  else
    echo "SLUGC_BENCH_DIR='$corpus' SLUGC_BENCH_OUT='$3' SLUGC_BENCH_LEVEL=$1 SLUGC_BENCH_SINGLE=$2 $xctest SlugKitTests.SlugBenchmarkTests/testPackBenchmarkDirectory"
  fi
}

parent="$(dirname "$corpus")"; base="$(basename "$corpus")"
measure "tar | pigz -6"              "$out/pigz.tgz" "tar -C '$parent' -cf - '$base' | pigz -6 > '$out/pigz.tgz'"
measure "tar czf (gzip -6)"          "$out/tar.tgz"  "tar -C '$parent' -czf '$out/tar.tgz' '$base'"
measure "slugc level 1"              "$out/s1.tgz"   "$(slugc_pack 1 0 "$out/s1.tgz")"
measure "slugc level 6"              "$out/s6.tgz"   "$(slugc_pack 6 0 "$out/s6.tgz")"
measure "slugc single-member 1"      "$out/m1.tgz"   "$(slugc_pack 1 1 "$out/m1.tgz")"
measure "slugc single-member 6"      "$out/m6.tgz"   "$(slugc_pack 6 1 "$out/m6.tgz")"
measure "cp -a"                      "$out/cp" "rm -rf '$out/cp'; mkdir '$out/cp'; cp -a '$corpus' '$out/cp/'"
measure "TreeCopier (copy stage)"   "$out/tc" "rm -rf '$out/tc'; SLUGC_BENCH_DIR='$corpus' SLUGC_BENCH_COPY_TO='$out/tc' $xctest SlugKitTests.SlugBenchmarkTests/testPackBenchmarkDirectory"
[ -f "$out/m6.tgz" ] && gzip -t "$out/s6.tgz" "$out/m6.tgz"

pigz_wall=$(echo "${results[0]}" | cut -d';' -f2)
gzip_size=$(echo "${results[1]}" | cut -d';' -f5)
echo "corpus: $corpus ($(du -sh "$corpus" | cut -f1), $(find "$corpus" | wc -l) entries), $(nproc) cores"
printf "%-24s %8s %8s %9s %12s %10s %10s\n" tool wall_s cpu_s peak_MiB size_B wall/pigz size/gzip6
for row in "${results[@]}"; do
  IFS=';' read -r name wall cpu rss size <<< "$row"
  case "$name" in "cp -a"|TreeCopier*) size=0 ;; esac
  printf "%-24s %8s %8s %9s %12s %10.2f %10.3f\n" "$name" "$wall" "$cpu" "$rss" "$size" \
    "$(echo "$wall / $pigz_wall" | bc -l)" "$(echo "$size / $gzip_size" | bc -l)"
done
