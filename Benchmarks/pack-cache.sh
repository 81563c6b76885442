#!/usr/bin/env bash
# Pack cache benchmark: what a rebuild costs with `slugc pack --cache-dir`, side by side with
# `tar | pigz -6` (the tool a user would otherwise run) on the same tree, in RUNS rounds
# (default 3); every figure is the median over rounds.
#
# Each round, on a copy of the corpus:
#   cold        slugc pack with an empty cache (compresses everything and fills the cache),
#               beside slugc pack without a cache and tar | pigz -6 of the same tree
#   one file    after changing one small file (a line appended)
#   10 MB file  after adding a 10 MB file (a slice of the corpus's own tar stream)
#   upgrade     after replacing one package's folder (every .py changed, one file gone, one new)
# Two floors: "tar | cat" reads the whole tree, as a pack without the file index must; "tar -cf
# /dev/null" (GNU tar then reads no file's data) lists folders and stats every entry, which a
# rebuild with the file index still does: the blocks of unchanged files come from the cache
# unread, as long as they last changed more than 2 s before the pack.
# Every cached slug is compared byte for byte with an uncached `slugc pack` of the same tree
# (untimed); a difference fails the run. The round then undoes its changes.
#
# The copy and the cache live under each folder of PLACES (default "/var/tmp /dev/shm": disk
# and memory; the disk of a shared machine is slow and erratic at creating files).
#
# Usage: Benchmarks/pack-cache.sh [CORPUS_DIR]   (default /tmp/slugc-bench-corpus/app, built by
#        make-corpus.sh when missing). SLUGC=path picks the binary (default .build/release/slugc).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus="${1:-/tmp/slugc-bench-corpus/app}"
runs="${RUNS:-3}"
places="${PLACES:-/var/tmp /dev/shm}"
slugc="$(realpath "${SLUGC:-.build/release/slugc}")"
[ -d "$corpus" ] || Benchmarks/make-corpus.sh "$(dirname "$corpus")"
if [ ! -x /usr/bin/time ]; then apt-get install -y time >/dev/null; fi
work_dirs=()
trap 'for d in "${work_dirs[@]}"; do rm -rf "$d"; done' EXIT

# timed KEY COMMAND: appends "wall cpu" to $out/times.KEY
timed() {
  /usr/bin/time -f "%e %U %S" -o "$out/time" bash -c "$2" >/dev/null 2>"$out/err" || { cat "$out/err" >&2; exit 1; }
  read -r wall user sys < "$out/time"
  echo "$wall $(echo "$user + $sys" | bc)" >> "$out/times.$1"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_median() { awk -v c="$2" '{ print $c }' "$out/times.$1" | median; }

# cached NAME: the timed cached pack, then an untimed uncached one of the same tree to compare with.
cached() {
  timed "$1" "'$slugc' pack '$app' -o '$out/$1.tgz' --cache-dir '$cache' > '$out/$1.log'"
  "$slugc" pack "$app" -o "$out/$1.plain.tgz" >/dev/null
  cmp -s "$out/$1.tgz" "$out/$1.plain.tgz" || { echo "pack-cache: $1: the cached slug differs from an uncached pack" >&2; exit 1; }
}

for place in $places; do
  base="$(mktemp -d "$place/slugc-pack-cache.XXXXXX")"; work_dirs+=("$base")
  out="$base/out"; cache="$base/cache"; app="$base/app"
  mkdir -p "$out"
  cp -a "$corpus" "$app"
  small="$(find "$app/src" "$app/.heroku" -name '*.py' -size -8k -size +1k | sort | sed -n 500p)"
  cp -a "$small" "$out/small.orig"
  # The package folder (two levels under a site-packages copy) closest to 3 MB.
  package="$(du -sk "$app"/.heroku/python-0/*/* 2>/dev/null | awk -v t=3072 '{ d = $1 - t; if (d < 0) d = -d; if (NR == 1 || d < best) { best = d; path = $2 } } END { print path }')"
  { tar -C "$app" -cf - . 2>/dev/null || true; } | head -c 10485760 > "$out/ten.bin"   # tar stops on SIGPIPE
  for round in $(seq "$runs"); do
    tar -C "$app" -cf - . | cat > /dev/null   # page cache
    rm -rf "$cache"
    timed pigz "tar -C '$base' -cf - app | pigz -6 > '$out/pigz.tgz'"
    timed floor "tar -C '$base' -cf - app | cat > /dev/null"
    timed statonly "tar -C '$base' -cf /dev/null app"
    timed plain "'$slugc' pack '$app' -o '$out/plain.tgz'"
    cached cold
    echo "# changed" >> "$small"
    cached one
    cp "$out/ten.bin" "$app/src/added-10MB.bin"
    cached ten
    rm -rf "$package.new"; cp -a "$package" "$package.new"
    find "$package.new" -name '*.py' | sort | while read -r f; do echo "# 2.0" >> "$f"; done
    rm -f "$(find "$package.new" -type f | sort | head -1)"; echo "VERSION = '2.0'" > "$package.new/_version_2.py"
    mv "$package" "$package.old"; mv "$package.new" "$package"
    cached upgrade
    # Undo the round's changes.
    rm -rf "$package"; mv "$package.old" "$package"; rm -f "$app/src/added-10MB.bin"; cp -a "$out/small.orig" "$small"
    echo "$place: round $round/$runs done" >&2
  done
  pigz_wall=$(column_median pigz 1)
  echo "== $place: corpus $corpus ($(du -sh "$app" | cut -f1), $(find "$app" | wc -l) entries), $(nproc) cores, median of $runs rounds, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "   small file: ${small#"$app"/}; package: ${package#"$app"/} ($(du -sh "$package" | cut -f1))"
  printf "%-34s %8s %8s %10s %10s %16s\n" pack wall_s cpu_s wall/pigz cpu/pigz "reused unread"
  row() { # NAME KEY   (reused blocks: from the last round's log)
    local wall cpu reused=-
    wall=$(column_median "$2" 1); cpu=$(column_median "$2" 2)
    [ -f "$out/$2.log" ] && reused="$(sed -n 's/.*Done: [^ ]* (\([0-9]*\) of \([0-9]*\) compressed blocks reused from the pack cache\(, \([0-9]*\) of them without reading\)\{0,1\}.*/\1\/\2 \4/p' "$out/$2.log")"
    printf "%-34s %8.2f %8.2f %10.3f %10.3f %16s\n" "$1" "$wall" "$cpu" "$(echo "$wall / $pigz_wall" | bc -l)" \
      "$(echo "$cpu / $(column_median pigz 2)" | bc -l)" "$reused"
  }
  row "tar | pigz -6" pigz
  row "tar | cat (reading the tree)" floor
  row "tar -cf /dev/null (stat only)" statonly
  row "slugc pack (no cache)" plain
  row "cold, empty cache" cold
  row "after changing one small file" one
  row "after adding a 10 MB file" ten
  row "after upgrading one package" upgrade
  echo "   every cached slug was byte-identical to an uncached pack of the same tree"
done
