#!/usr/bin/env bash
# Static site benchmark: the static buildpack's nginx slug side by side with the Python server it
# replaced (built from the last commit that had it) and `python3 -m http.server`, all three
# serving the same folder: Fixtures/static-site plus a 1 MiB asset. wrk (Debian's package)
# measures requests/s and p99 latency for "/" and for the asset; the table also gives each
# slug's size. Servers take turns, ROUNDS rounds (default 3); the table gives medians.
#
# The slugs boot as a dyno boots them: extracted, their web process run by bash with PORT set and
# its output going to a file, as a dyno's goes to the log router. Two more rows boot both slugs
# with `slugc run`, which forwards the access log line by line: for nginx that is then the limit.
#
# wrk shares the cores with the server, and on a shared machine other work takes its share too,
# so requests/s moves from run to run. The CPU time the server's processes (all of them: nginx's
# workers, cat, slugc) spend per request does not: it is the last columns, and the ratio of the
# two servers' CPU per request is what a dedicated core would show as their throughput ratio.
#
# Usage: Benchmarks/static-serve.sh      SLUGC=path/to/slugc (default .build/release/slugc),
#        ROUNDS=N, DURATION=10s, CONNECTIONS=64, THREADS=2 (wrk's). Needs wrk, nginx, python3.
set -euo pipefail
cd "$(dirname "$0")/.."

slugc="${SLUGC:-.build/release/slugc}"
rounds="${ROUNDS:-3}" duration="${DURATION:-10s}" connections="${CONNECTIONS:-64}" threads="${THREADS:-2}"
for tool in wrk python3 git; do
  command -v "$tool" >/dev/null || { echo "static-serve.sh: $tool is not installed (apt-get install -y $tool)" >&2; exit 1; }
done
[ -x "$slugc" ] || { echo "static-serve.sh: no $slugc; build it: swift build -c release" >&2; exit 1; }

work="$(mktemp -d /tmp/slugc-bench-static.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# The site, and the previous static buildpack as it was on the last commit with the Python server.
cp -a Fixtures/static-site "$work/site"
mkdir -p "$work/site/assets"
head -c 1048576 /dev/urandom >"$work/site/assets/atlas.bin"
removed="$(git rev-list -n 1 HEAD -- Buildpacks/static/server/serve.py)"
previous="$(git rev-parse "$removed^")"
mkdir -p "$work/previous"
git archive "$previous" Buildpacks/static | tar -x -C "$work/previous"

build() {  # build NAME BUILDPACK [SITE]
  "$slugc" build "${3:-$work/site}" -o "$work/$1.tgz" --buildpack "$2" >"$work/$1.build.log" 2>&1 \
    || { cat "$work/$1.build.log" >&2; exit 1; }
}
build nginx static
build python "$work/previous/Buildpacks/static"
# The server's own weight: the fixture alone, without the incompressible asset.
build nginx-fixture static Fixtures/static-site
build python-fixture "$work/previous/Buildpacks/static" Fixtures/static-site

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() {
  for _ in $(seq 100); do
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "http://127.0.0.1:$1/" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "static-serve.sh: nothing answered on port $1" >&2; exit 1
}

# boot NAME PORT: extracts NAME.tgz and runs its web process as a dyno does, output to NAME.log.
boot() {
  local app="$work/$1.run/app" web
  mkdir -p "$work/$1.run"
  tar -xzf "$work/$1.tgz" -C "$work/$1.run"
  web="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["process_types"]["web"])' "$app/.slugc/release.json")"
  (cd "$app" && HOME="$app" PORT="$2" exec bash -c "$web") >"$work/$1.log" 2>&1 &
  pids+=($!)
}

names=("nginx slug (this commit)" "Python server slug (${previous:0:7})" "python3 -m http.server"
       "nginx slug, slugc run" "Python server slug, slugc run")
sizes=("$(stat -c %s "$work/nginx.tgz")" "$(stat -c %s "$work/python.tgz")" "-"
       "$(stat -c %s "$work/nginx.tgz")" "$(stat -c %s "$work/python.tgz")")
ports=()
p="$(port)"; ports+=("$p"); boot nginx "$p"
p="$(port)"; ports+=("$p"); boot python "$p"
p="$(port)"; ports+=("$p"); python3 -m http.server "$p" --bind 127.0.0.1 --directory "$work/site" >"$work/http.server.log" 2>&1 & pids+=($!)
p="$(port)"; ports+=("$p"); "$slugc" run "$work/nginx.tgz" --port "$p" >"$work/nginx.slugc-run.log" 2>&1 & pids+=($!)
p="$(port)"; ports+=("$p"); "$slugc" run "$work/python.tgz" --port "$p" >"$work/python.slugc-run.log" 2>&1 & pids+=($!)
for p in "${ports[@]}"; do wait_for "$p"; done

paths=("/" "/assets/atlas.bin")
# tree_cpu PID: CPU seconds (user + system) used so far by PID and every process below it.
tree_cpu() {
  python3 - "$1" <<'PY'
import os, sys
children, used = {}, {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fields = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    children.setdefault(int(fields[1]), []).append(int(pid))
    used[int(pid)] = int(fields[11]) + int(fields[12])
total, pending = 0, [int(sys.argv[1])]
while pending:
    pid = pending.pop()
    total += used.get(pid, 0)
    pending += children.get(pid, [])
print(total / os.sysconf("SC_CLK_TCK"))
PY
}
# measure SERVER PATH: appends "requests/s p99_ms cpu_us_per_request" to $work/result.SERVER.PATH
measure() {
  local url="http://127.0.0.1:${ports[$1]}${paths[$2]}" report rps p99 before after cpu
  before="$(tree_cpu "${pids[$1]}")"
  report="$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url")"
  after="$(tree_cpu "${pids[$1]}")"
  cpu="$(awk -v b="$before" -v a="$after" '/requests in/ { printf "%.1f", (a - b) * 1e6 / $1 }' <<<"$report")"
  rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$report")"
  p99="$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } \
         else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }; printf "%.2f", v }' <<<"$report")"
  echo "$rps $p99 $cpu" >>"$work/result.$1.$2"
}

for i in "${!ports[@]}"; do for j in "${!paths[@]}"; do  # warm-up, untimed
  wrk -t1 -c4 -d1s "http://127.0.0.1:${ports[$i]}${paths[$j]}" >/dev/null
done; done
for round in $(seq "$rounds"); do
  for i in "${!ports[@]}"; do for j in "${!paths[@]}"; do measure "$i" "$j"; done; done
  echo "round $round/$rounds done" >&2
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { awk -v c="$2" '{ print $c }' "$work/result.$1"; }
echo
echo "wrk -t$threads -c$connections -d$duration --latency, medians of $rounds rounds; $(nproc) cores shared by wrk and the server"
echo
echo "| server | slug size | / requests/s | / p99 | 1 MiB requests/s | 1 MiB p99 | / CPU per request | 1 MiB CPU per request |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for i in "${!ports[@]}"; do
  size="${sizes[$i]}"; [ "$size" = "-" ] || size="$(awk -v b="$size" 'BEGIN { printf "%.1f KiB", b / 1024 }')"
  printf '| %s | %s | %.0f | %.2f ms | %.0f | %.2f ms | %.1f µs | %.1f µs |\n' "${names[$i]}" "$size" \
    "$(column_of "$i.0" 1 | median)" "$(column_of "$i.0" 2 | median)" "$(column_of "$i.1" 1 | median)" \
    "$(column_of "$i.1" 2 | median)" "$(column_of "$i.0" 3 | median)" "$(column_of "$i.1" 3 | median)"
done
echo
awk -v a="$(column_of 0.0 1 | median)" -v b="$(column_of 1.0 1 | median)" -v c="$(column_of 3.0 1 | median)" \
  -v d="$(column_of 4.0 1 | median)" 'BEGIN { printf "nginx / Python server, requests/s for /: %.1fx booted as a dyno, %.1fx under slugc run\n", a / b, c / d }'
awk -v a="$(column_of 0.0 3 | median)" -v b="$(column_of 1.0 3 | median)" \
  'BEGIN { printf "Python server / nginx, CPU per request for / (booted as a dyno): %.1fx\n", b / a }'
awk -v a="$(stat -c %s "$work/nginx-fixture.tgz")" -v b="$(stat -c %s "$work/python-fixture.tgz")" \
  'BEGIN { printf "slug of Fixtures/static-site alone: %.1f KiB with nginx, %.1f KiB with the Python server\n", a / 1024, b / 1024 }'
