#!/usr/bin/env bash
# slugc run's extract-and-clean-up cost: `slugc run SLUG -- true` (extract into TMPDIR, run,
# remove the run folder) against what a user would do by hand, `tar xzf SLUG` into a folder
# then `rm -rf` it. The removal is what a stopping `slugc run` waits for; on a slow disk it
# dominates (a Django slug's ~9,000 files).
#
# Rounds (RUNS, default 5) run both cases once each, so a slow stretch of a shared machine hits
# both alike; the table gives medians and the ratio slugc / tar+rm.
#
# Usage: Benchmarks/run-cleanup.sh     SLUGC=path/to/slugc (default .build/release/slugc),
#        SLUG=path/to/slug.tgz (default: a made-up slug of FILES=9000 small files in 300
#        folders), RUNS=N, TMPDIR the disk to measure on (try /dev/shm beside the default).
set -euo pipefail
cd "$(dirname "$0")/.."

slugc="$(realpath "${SLUGC:-.build/release/slugc}")"
runs="${RUNS:-5}"
files="${FILES:-9000}"
[ -x "$slugc" ] || { echo "no slugc at $slugc: swift build -c release first" >&2; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/slugc-cleanup-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

slug="${SLUG:-}"
if [ -z "$slug" ]; then
  for ((i = 0; i < files; i++)); do
    folder="$work/root/app/lib/pkg$((i % 300))"
    [ -d "$folder" ] || mkdir -p "$folder"
    printf 'value = %d\n' "$i" > "$folder/m$i.py"
  done
  tar czf "$work/slug.tgz" -C "$work/root" ./app
  rm -rf "$work/root"
  slug="$work/slug.tgz"
fi
count=$(tar tzf "$slug" | wc -l)
mkdir -p "$work/tmp"

now() { date +%s.%N; }
slugc_times=() tar_times=()
for ((round = 1; round <= runs; round++)); do
  start=$(now)
  TMPDIR="$work/tmp" "$slugc" run "$slug" -- true >/dev/null 2>&1
  slugc_times+=("$(echo "$(now) - $start" | bc)")
  [ -z "$(ls -A "$work/tmp")" ] || { echo "slugc run left $(ls "$work/tmp")" >&2; exit 1; }
  start=$(now)
  mkdir "$work/tmp/by-hand" && tar xzf "$slug" -C "$work/tmp/by-hand" && rm -rf "$work/tmp/by-hand"
  tar_times+=("$(echo "$(now) - $start" | bc)")
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
s=$(median "${slugc_times[@]}") t=$(median "${tar_times[@]}")
printf 'slug: %s (%d entries), TMPDIR=%s, %d rounds\n' "$slug" "$count" "${TMPDIR:-/tmp}" "$runs"
printf '%-34s %8.3f s\n' "slugc run SLUG -- true" "$s" "tar xzf + rm -rf" "$t"
printf 'ratio slugc / tar+rm: %.2f\n' "$(echo "$s / $t" | bc -l)"
