#!/usr/bin/env bash
# Output-flood benchmark: a buildpack whose bin/compile prints SIZE_MB (default 200) MiB of
# 1 KiB lines, built with slugc build, against `cat` of the same file to /dev/null (what the
# bytes cost without slugc) and against a build whose compile prints nothing (slugc's fixed
# cost: copy, detect, release, pack). Reports wall time, throughput and peak memory (GNU time);
# the flood's own rate is SIZE / (flood wall - empty build wall).
#
# Rounds (RUNS, default 3) run every case once each, so a slow stretch of a shared machine hits
# them all alike; the table gives medians. Flat memory: the peak of a flood of a quarter of the
# size is shown beside it.
#
# Usage: Benchmarks/output-flood.sh     SLUGC=path/to/slugc picks the binary (default
#        .build/release/slugc), SIZE_MB=N the flood, RUNS=N the rounds, TMPDIR the scratch folder.
set -euo pipefail
cd "$(dirname "$0")/.."

slugc="$(realpath "${SLUGC:-.build/release/slugc}")"
size_mb="${SIZE_MB:-200}"
runs="${RUNS:-3}"
[ -x "$slugc" ] || { echo "no slugc at $slugc: swift build -c release first" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then apt-get install -y time >/dev/null; fi
work="$(mktemp -d "${TMPDIR:-/tmp}/slugc-flood.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# SIZE_MB MiB of 1024-byte lines (1023 characters and a newline), and a quarter of that.
line="$(head -c 3000 /dev/urandom | base64 -w0 | head -c 1023)"
lines=$((size_mb * 1024))
repeat() { { yes "$line" || true; } | head -n "$1"; }   # yes ends on SIGPIPE, which pipefail would count
repeat "$lines" > "$work/flood.txt"
repeat $((lines / 4)) > "$work/quarter.txt"
bytes=$(stat -c %s "$work/flood.txt")

# buildpack NAME FILE: a classic buildpack whose compile prints FILE (nothing when FILE is empty).
buildpack() {
  mkdir -p "$work/$1/bin"
  printf '#!/bin/sh\necho Flood\n' > "$work/$1/bin/detect"
  if [ -n "$2" ]; then printf '#!/bin/sh\nexec cat %s\n' "$2" > "$work/$1/bin/compile"
  else printf '#!/bin/sh\nexit 0\n' > "$work/$1/bin/compile"; fi
  chmod +x "$work/$1/bin/detect" "$work/$1/bin/compile"
}
buildpack bp-flood "$work/flood.txt"
buildpack bp-quarter "$work/quarter.txt"
buildpack bp-empty ""
mkdir -p "$work/app"
echo 'web: true' > "$work/app/Procfile"

names=(); commands=()
case_() { names+=("$1"); commands+=("$2"); }
build() { echo "'$slugc' build '$work/app' -o '$work/slug.tgz' --buildpack '$work/$1'"; }
case_ "cat flood > /dev/null"                 "cat '$work/flood.txt' > /dev/null"
case_ "slugc build, no output"                "$(build bp-empty) > /dev/null"
case_ "slugc build, flood > /dev/null"        "$(build bp-flood) > /dev/null"
case_ "slugc build, flood | cat > /dev/null"  "$(build bp-flood) | cat > /dev/null"
case_ "slugc build, quarter > /dev/null"      "$(build bp-quarter) > /dev/null"

for round in $(seq "$runs"); do
  for i in "${!names[@]}"; do
    # Wall time from bash's clock (microseconds: cat of a cached file takes milliseconds), the
    # peak memory from GNU time.
    start=$EPOCHREALTIME
    /usr/bin/time -f "%M" -o "$work/time" bash -c "${commands[$i]}" 2>"$work/err" \
      || { cat "$work/err" >&2; exit 1; }
    end=$EPOCHREALTIME
    echo "$(echo "$end - $start" | bc) $(cat "$work/time")" >> "$work/times.$i"
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for i in "${!names[@]}"; do
  wall[$i]=$(awk '{ print $1 }' "$work/times.$i" | median)
  peak[$i]=$(awk '{ print $2 }' "$work/times.$i" | median)
done
mib=$(echo "scale=1; $bytes / 1048576" | bc)
echo "Flood: $mib MiB in $lines lines of 1 KiB; $runs rounds, medians; slugc: $slugc"
printf '| %-38s | %8s | %10s | %9s |\n' case wall "MiB/s" "peak RSS"
printf '| %-38s | %8s | %10s | %9s |\n' --- --- --- ---
for i in "${!names[@]}"; do
  rate="-"
  case "${names[$i]}" in
    cat*) rate=$(echo "scale=1; $mib / ${wall[$i]}" | bc) ;;
    *quarter*) rate=$(echo "scale=1; $mib / 4 / (${wall[$i]} - ${wall[1]})" | bc) ;;
    *flood*) rate=$(echo "scale=1; $mib / (${wall[$i]} - ${wall[1]})" | bc) ;;
  esac
  printf '| %-38s | %7.3fs | %10s | %5d MiB |\n' "${names[$i]}" "${wall[$i]}" "$rate" $((peak[$i] / 1024))
done
echo "MiB/s of a build: the flood's size over its wall time minus the empty build's."
echo "slugc's flood > /dev/null takes $(echo "scale=1; (${wall[2]} - ${wall[1]}) / ${wall[0]}" | bc) times as long as cat's."
