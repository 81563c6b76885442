#!/usr/bin/env bash
# Pack benchmark: slugc pack side by side with `tar czf` and `tar | pigz -6` on the same tree.
# Reports wall time, CPU time, peak memory (GNU time) and size, as ratios against pigz -6 and
# against the size gzip -6 gives.
#
# The packers run in RUNS rounds (default 5), every tool once per round, so a slow stretch of a
# shared machine hits them all alike; the table gives each tool's median, and the last line the
# range of slugc level 6's wall time over pigz's, round by round. The two copy rows are medians
# of COPY_RUNS alternated pairs (default 3).
#
# Usage: Benchmarks/pack.sh [CORPUS_DIR]    (default: /tmp/slugc-bench-corpus/app, built by
#        make-corpus.sh when missing). SLUGC=path/to/slugc picks the binary (default
#        .build/release/slugc); RUNS=N the rounds, COPY_RUNS=N the copy pairs. The TreeCopier row
#        needs the release test bundle: swift build -c release --build-tests -Xswiftc -enable-testing
#        LIBDEFLATE_DIR=DIR adds a row of level 6 with the libdeflate.so.0 in DIR (another
#        version than the system's, e.g. Debian 13's from Benchmarks/fetch-libdeflate.sh); its
#        slug must be byte for byte the system library's, or the run fails.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:-/tmp/slugc-bench-corpus/app}"
runs="${RUNS:-5}"
[ -d "$corpus" ] || Benchmarks/make-corpus.sh "$(dirname "$corpus")"
if [ ! -x /usr/bin/time ]; then apt-get install -y time >/dev/null; fi
slugc="${SLUGC:-.build/release/slugc}"
xctest=".build/release/slugcPackageTests.xctest"
out="$(mktemp -d /tmp/slugc-bench-out.XXXXXX)"
trap 'rm -rf "$out"' EXIT
parent="$(dirname "$corpus")"; base="$(basename "$corpus")"

names=(); commands=(); outputs=()
tool() { names+=("$1"); outputs+=("$2"); commands+=("$3"); }
slugc_pack() { echo "'$slugc' pack '$corpus' -o '$out/$1' --level $2 $3"; }
tool "tar | pigz -6"          pigz.tgz "tar -C '$parent' -cf - '$base' | pigz -6 > '$out/pigz.tgz'"
tool "tar czf (gzip -6)"      tar.tgz  "tar -C '$parent' -czf '$out/tar.tgz' '$base'"
tool "slugc level 1"          s1.tgz   "$(slugc_pack s1.tgz 1 '')"
tool "slugc level 6"          s6.tgz   "$(slugc_pack s6.tgz 6 '')"
tool "slugc single-member 1"  m1.tgz   "$(slugc_pack m1.tgz 1 --gzip-single-member)"
tool "slugc single-member 6"  m6.tgz   "$(slugc_pack m6.tgz 6 --gzip-single-member)"
if [ -n "${LIBDEFLATE_DIR:-}" ]; then
  # The package's version when the folder is fetch-libdeflate.sh's (the library holds none).
  version=$(dpkg-deb -f "$LIBDEFLATE_DIR/../../../libdeflate0.deb" Version 2>/dev/null || echo "of LIBDEFLATE_DIR")
  tool "slugc 6, deflate $version" l6.tgz "LD_LIBRARY_PATH='$LIBDEFLATE_DIR' $(slugc_pack l6.tgz 6 '')"
fi

# timed NAME_INDEX COMMAND: appends "wall cpu peak_KiB" to $out/times.NAME_INDEX
timed() {
  /usr/bin/time -f "%e %U %S %M" -o "$out/time" bash -c "$2" >/dev/null 2>"$out/err" || { cat "$out/err" >&2; exit 1; }
  read -r wall user sys rss < "$out/time"
  echo "$wall $(echo "$user + $sys" | bc) $rss" >> "$out/times.$1"
}
warm() { tar -C "$parent" -cf - "$base" | cat > /dev/null; }   # page cache, before each round

for round in $(seq "$runs"); do
  warm
  for i in "${!names[@]}"; do
    rm -f "$out/${outputs[$i]}"
    timed "$i" "${commands[$i]}"
  done
  echo "round $round/$runs done" >&2
done
gzip -t "$out/s6.tgz" "$out/m6.tgz"
if [ -n "${LIBDEFLATE_DIR:-}" ] && ! cmp -s "$out/s6.tgz" "$out/l6.tgz"; then
  echo "pack: the slug made with $LIBDEFLATE_DIR's libdeflate differs from the system library's" >&2; exit 1
fi

# The copy stage is disk-bound: each copy starts after the last one's writes reach the disk
# (sync, untimed), and the two copiers take turns going first, COPY_RUNS pairs (default 3).
# Every copy gets a folder of its own and none is deleted before the end: ext4 will not reuse
# an inode freed in the last few seconds, and scanning past 80 000 of them made a copy that
# followed an `rm -rf` six times slower or worse (perf: recently_deleted, find_inode_bit).
copy_cp() { timed cp "mkdir '$out/cp.$1'; cp -a '$corpus' '$out/cp.$1/'"; }
copy_tc() {
  timed tc "SLUGC_BENCH_DIR='$corpus' SLUGC_BENCH_COPY_TO='$out/tc.$1' $xctest SlugKitTests.SlugBenchmarkTests/testPackBenchmarkDirectory"
}
warm
for pair in $(seq "${COPY_RUNS:-3}"); do
  sync; if [ ! -x "$xctest" ]; then copy_cp "$pair"; continue; fi
  if [ $((pair % 2)) = 1 ]; then copy_cp "$pair"; sync; copy_tc "$pair"; else copy_tc "$pair"; sync; copy_cp "$pair"; fi
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_median() { awk -v c="$2" '{ print $c }' "$out/times.$1" | median; }

pigz_wall=$(column_median 0 1)
gzip_size=$(stat -c %s "$out/tar.tgz")
echo "corpus: $corpus ($(du -sh "$corpus" | cut -f1), $(find "$corpus" | wc -l) entries), $(nproc) cores, median of $runs rounds"
printf "%-24s %8s %8s %9s %12s %10s %10s\n" tool wall_s cpu_s peak_MiB size_B wall/pigz size/gzip6
row() { # NAME TIMES_KEY SIZE
  local wall cpu rss
  wall=$(column_median "$2" 1); cpu=$(column_median "$2" 2); rss=$(column_median "$2" 3)
  # Copy rows (no size) are compared with each other, not with pigz.
  printf "%-24s %8.2f %8.2f %9d %12s %10s %10s\n" "$1" "$wall" "$cpu" "$((${rss%.*} / 1024))" "$3" \
    "$([ "$3" = - ] && echo - || printf %.2f "$(echo "$wall / $pigz_wall" | bc -l)")" \
    "$([ "$3" = - ] && echo - || printf %.3f "$(echo "$3 / $gzip_size" | bc -l)")"
}
for i in "${!names[@]}"; do row "${names[$i]}" "$i" "$(stat -c %s "$out/${outputs[$i]}")"; done
row "cp -a" cp -
[ -f "$out/times.tc" ] && row "TreeCopier (copy stage)" tc -
for i in "${!names[@]}"; do if [ "${names[$i]}" = "slugc level 6" ]; then level6=$i; fi; done
paste -d' ' "$out/times.0" "$out/times.$level6" | awk '{ r = $4 / $1; if (NR == 1 || r < lo) lo = r; if (NR == 1 || r > hi) hi = r }
  END { printf "slugc level 6 / pigz, round by round: %.2f to %.2f\n", lo, hi }'
