#!/usr/bin/env bash
# Swift buildpack benchmark: cold build vs cached rebuild after a one-line source change, for
# the plain server fixture and for the fixture with a real dependency (swift-argument-parser);
# then slug sizes with the static and the dynamic Swift runtime.
#
# Usage: [RUNS=n] Benchmarks/swift-build.sh   (needs swift, jq, hyperfine, bc, tar, gzip)
# Runs bin/compile directly (Heroku's API), so it measures the buildpack, not the pipeline.
# The goal in issue #4: a cached rebuild takes at most a quarter of the cold build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COMPILE="$ROOT/Buildpacks/swift/bin/compile"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/slugc-swift-bench-XXXXXX")
trap 'rm -rf "$WORK"' EXIT; [ -n "${KEEP:-}" ] && trap - EXIT
mkdir -p "$WORK/env"

# compile FIXTURE NAME CACHE [CONFIG_VAR=VALUE] — copies the fixture to $WORK/NAME and builds it there.
compile() {
    local fixture=$1 name=$2 cache=$3 env="$WORK/env-$2"
    mkdir -p "$env"
    if [ -n "${4:-}" ]; then printf '%s' "${4#*=}" > "$env/${4%%=*}"; fi
    rm -rf "${WORK:?}/$name"
    cp -a "$ROOT/Fixtures/$fixture" "$WORK/$name"
    "$COMPILE" "$WORK/$name" "$cache" "$env" > "$WORK/$name.log" 2>&1 || { cat "$WORK/$name.log"; exit 1; }
}

# bench FIXTURE FILE SED RUNS — hyperfine: cold builds (empty cache each run) against cached
# rebuilds (warm cache, a fresh BUILD_DIR with FILE changed by SED to a new text each run).
bench() {
    local fixture=$1 file=$2 expression=$3 runs=$4 app="$WORK/app-$1" cache="$WORK/cache-$1"
    local copy="rm -rf '$app' && cp -a '$ROOT/Fixtures/$fixture' '$app'"
    hyperfine --style basic --runs "$runs" --export-json "$WORK/$fixture-cold.json" \
        --prepare "rm -rf '$cache' && $copy" -n "$fixture cold" "'$COMPILE' '$app' '$cache' '$WORK/env' > '$WORK/$fixture.log'"
    hyperfine --style basic --runs "$runs" --export-json "$WORK/$fixture-cached.json" \
        --setup "$copy && '$COMPILE' '$app' '$cache' '$WORK/env' > /dev/null" \
        --prepare "$copy && sed -i \"$expression\" '$app/$file'" \
        -n "$fixture cached rebuild" "'$COMPILE' '$app' '$cache' '$WORK/env' > '$WORK/$fixture.log'"
    local cold cached recompiled
    cold=$(jq '.results[0].mean' "$WORK/$fixture-cold.json")
    cached=$(jq '.results[0].mean' "$WORK/$fixture-cached.json")
    recompiled=$(grep -E '\] Compiling [^p]' "$WORK/$fixture.log" | sed -E 's/.*\] Compiling ([^ ]+).*/\1/' | sort -u | tr '\n' ' ')
    SUMMARY+=$(printf '%-12s cold %6.2fs  cached rebuild %5.2fs  ratio %.2f  (last rebuild compiled: %s)' \
        "$fixture" "$cold" "$cached" "$(echo "$cached / $cold" | bc -l)" "${recompiled:-nothing}")$'\n'
}

SUMMARY=""
echo "== Cold build vs cached rebuild after a one-line change (Swift $(swift --version 2>/dev/null | sed -nE 's/.*Swift version ([0-9.]+).*/\1/p'), $(nproc) cores)"
bench swift-web Sources/server/main.swift 's/Hello from plain Swift/Hello $(date +%N) from plain Swift/' "${RUNS:-5}"
bench swift-deps Sources/Greeting/Greeting.swift 's/Hello, /Hello $(date +%N), /' "${RUNS:-3}"
echo
printf '%s' "$SUMMARY"

echo
echo "== Slug size: static vs dynamic Swift runtime (app folder, and tar czf of it)"
for fixture in swift-web swift-deps swift-resources; do
    for mode in static dynamic; do
        var=""
        [ "$mode" = dynamic ] && var="SWIFT_DYNAMIC_STDLIB=1"
        compile "$fixture" "$fixture-$mode" "$WORK/cache-size-$fixture-$mode" "$var"
        tar -czf "$WORK/$fixture-$mode.tgz" -C "$WORK/$fixture-$mode" .
        printf '%-16s %-8s app %6s   slug.tgz %6s\n' "$fixture" "$mode" \
            "$(du -sh "$WORK/$fixture-$mode" | cut -f1)" "$(du -h "$WORK/$fixture-$mode.tgz" | cut -f1)"
    done
done
