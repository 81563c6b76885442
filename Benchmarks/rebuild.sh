#!/usr/bin/env bash
# End-to-end rebuilds with a warm --cache-dir, through the real CLI (`slugc build`), medians of
# RUNS rounds, with the share of each stage from `build --json`'s `durations`:
#   - python-flask and python-django with nothing changed (targets: <= 1 s and <= 1.5 s), with
#     TMPDIR and the cache on disk and on /dev/shm;
#   - the Hummingbird 2 fixture: cold build, no-change rebuild (target <= 10 s) and a one-line
#     change (target <= 25 s), beside what a user would otherwise run: `swift build -c release
#     --static-swift-stdlib` in the app folder, a second time and after the same one-line change.
# The machine may be shared: every figure is printed with the load average when it was taken.
#
# Usage: [RUNS=3] [HUMMINGBIRD=1] [DISK=/var/tmp] Benchmarks/rebuild.sh
#   HUMMINGBIRD=0 skips the Swift part (its two cold builds take minutes each).
# Needs: swift (to build slugc), python3, the pyenv interpreters the fixtures ask for.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-3}
DISK=${DISK:-/var/tmp}
# The release build, as users install it: a debug slugc packs many times slower.
(cd "$ROOT" && swift build -c release --product slugc >/dev/null)
SLUGC="$ROOT/.build/release/slugc"
WORK=$(mktemp -d "$DISK/slugc-rebuild-bench-XXXXXX")
SHM_WORK=$(mktemp -d /dev/shm/slugc-rebuild-bench-XXXXXX)
trap 'rm -rf "$WORK" "$SHM_WORK"' EXIT
# A copy of the buildpacks: bash reads a script as it runs, so an edit during a long build would break it.
cp -a "$ROOT/Buildpacks" "$WORK/buildpacks"
OFFLINE=(--env PIP_NO_INDEX=1 --env "PIP_FIND_LINKS=$ROOT/Fixtures/wheelhouse" --env PYTHON_RUNTIME_INDEX=none)

load() { cut -d' ' -f1-3 /proc/loadavg; }
now() { date +%s.%N; }

# build WORKDIR NAME LABEL ARGS… — one `slugc build --json` of WORKDIR/NAME with TMPDIR under
# WORKDIR; appends "LABEL wall load json" to WORKDIR/results.
build() {
    local work=$1 name=$2 label=$3 start end
    shift 3
    mkdir -p "$work/tmp"
    start=$(now)
    TMPDIR="$work/tmp" "$SLUGC" build "$work/$name" -o "$work/$name.tgz" --cache-dir "$work/cache-$name" --buildpacks-dir "$WORK/buildpacks" --json "$@" \
        > "$work/last.json" 2> "$work/last.log" || { cat "$work/last.log"; exit 1; }
    end=$(now)
    printf '%s\t%s\t%s\t%s\n' "$label" "$(echo "$end - $start" | bc)" "$(load)" "$(jq -c .durations "$work/last.json")" >> "$work/results"
}

# timed WORKDIR LABEL COMMAND… — wall time of a peer command; appends to WORKDIR/results.
timed() {
    local work=$1 label=$2 start end
    shift 2
    start=$(now)
    "$@" > "$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }
    end=$(now)
    printf '%s\t%s\t%s\t{}\n' "$label" "$(echo "$end - $start" | bc)" "$(load)" >> "$work/results"
}

# Python: a warm cache, then RUNS rebuilds of an unchanged source, on disk and on /dev/shm.
for work in "$WORK" "$SHM_WORK"; do
    place=$([ "$work" = "$SHM_WORK" ] && echo shm || echo disk)
    for fixture in python-flask python-django; do
        cp -a "$ROOT/Fixtures/$fixture" "$work/$fixture"
        build "$work" "$fixture" "warm-up" "${OFFLINE[@]}"
        for _ in $(seq "$RUNS"); do build "$work" "$fixture" "$fixture no-change rebuild ($place)" "${OFFLINE[@]}"; done
    done
done

if [ "${HUMMINGBIRD:-1}" = 1 ]; then
    app=swift-hummingbird
    cp -a "$ROOT/Fixtures/$app" "$WORK/$app"
    cp -a "$ROOT/Fixtures/$app" "$WORK/$app-direct"
    main=Sources/App/main.swift
    # One line of the app's own module changes to a new text each round.
    change() { sed -i -E "s/Hello( [0-9]+)? from Hummingbird/Hello $(date +%N) from Hummingbird/" "$1/$main"; }
    swift_direct=(swift build --package-path "$WORK/$app-direct" -c release --static-swift-stdlib)

    build "$WORK" "$app" "hummingbird cold build"
    for _ in $(seq "$RUNS"); do build "$WORK" "$app" "hummingbird no-change rebuild"; done
    for _ in $(seq "$RUNS"); do change "$WORK/$app"; build "$WORK" "$app" "hummingbird one-line change"; done
    grep -E '\] (Compiling|Linking) ' "$WORK/last.log" | sed -E 's/.*\] //' | sort -u > "$WORK/hb-change-work" || true

    timed "$WORK" "swift build cold" "${swift_direct[@]}"
    for _ in $(seq "$RUNS"); do timed "$WORK" "swift build no-change" "${swift_direct[@]}"; done
    for _ in $(seq "$RUNS"); do change "$WORK/$app-direct"; timed "$WORK" "swift build one-line change" "${swift_direct[@]}"; done

    # Slug sizes: the default (stripped) against SWIFT_KEEP_DEBUG_INFO=1, from the same cache.
    build "$WORK" "$app" "hummingbird rebuild, debug info kept" --env SWIFT_KEEP_DEBUG_INFO=1
    kept_slug=$(stat -c %s "$WORK/$app.tgz")
    build "$WORK" "$app" "hummingbird rebuild, stripped"
    stripped_slug=$(stat -c %s "$WORK/$app.tgz")
    stripped_line=$(grep -m 1 'Stripped debug information' "$WORK/last.log" | sed 's/^ *//')
fi

cat "$WORK/results" "$SHM_WORK/results" 2>/dev/null | grep -v '^warm-up' > "$WORK/all"
echo "== Medians of $RUNS rounds ($(nproc) cores; load = 1/5/15-minute load averages when each round ended)"
python3 - "$WORK/all" <<'PY'
import json, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, wall, load, durations = line.rstrip("\n").split("\t")
    rows.setdefault(label, []).append((float(wall), load, json.loads(durations)))
def median(label):
    return statistics.median(wall for wall, _, _ in rows[label])
for label, runs in rows.items():
    walls = [wall for wall, _, _ in runs]
    line = f"{label:42} {statistics.median(walls):7.2f} s  (rounds: {', '.join(f'{w:.2f}' for w in walls)}; load {runs[-1][1]})"
    stages = [d["stages"] for _, _, d in runs if d.get("stages")]
    if stages:
        keys = stages[0].keys()
        line += "\n" + " " * 45 + "stages: " + ", ".join(f"{k} {statistics.median(s[k] for s in stages):.2f}" for k in keys)
    print(line)
pairs = [("hummingbird no-change rebuild", "swift build no-change"), ("hummingbird one-line change", "swift build one-line change"),
         ("hummingbird cold build", "swift build cold")]
for ours, peer in pairs:
    if ours in rows and peer in rows:
        print(f"ratio {ours} / {peer}: {median(ours) / median(peer):.2f}")
PY
if [ "${HUMMINGBIRD:-1}" = 1 ]; then
    echo "what the last one-line change rebuilt: $(tr '\n' ';' < "$WORK/hb-change-work")"
    echo "hummingbird slug: $stripped_slug bytes stripped, $kept_slug bytes with SWIFT_KEEP_DEBUG_INFO=1 ($stripped_line)"
fi
