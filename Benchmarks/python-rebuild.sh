#!/usr/bin/env bash
# Cold vs cached compile of a realistic Python app (Flask + gunicorn + SQLAlchemy + requests)
# by the built-in Python buildpack, next to what a user would otherwise do:
# `pip install --target` + `tar czf`.
#
#   Benchmarks/python-rebuild.sh [WHEELHOUSE]
#
# WHEELHOUSE: a folder of wheels for the app; without it the wheels are fetched once with
# `pip download` into a temporary folder (the only step that uses the network).
# Needs hyperfine. Prints hyperfine's tables, sizes, and the cached/cold ratio.
# Put TMPDIR on /dev/shm to take this machine's slow disk out of the figures.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
compile="$root/Buildpacks/python/bin/compile"
work=$(mktemp -d "${TMPDIR:-/tmp}/python-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

wheelhouse=${1:-}
if [ -z "$wheelhouse" ]; then
    wheelhouse="$work/wheelhouse"
    python3 -m pip download --quiet --only-binary=:all: -d "$wheelhouse" \
        flask gunicorn sqlalchemy requests
fi

app="$work/app"
mkdir -p "$app"
cat > "$app/requirements.txt" <<'REQ'
flask
gunicorn
sqlalchemy
requests
REQ
cat > "$app/app.py" <<'PY'
import requests
from flask import Flask
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine("sqlite://")


@app.route("/")
def index():
    with engine.connect() as connection:
        return f"1 + 1 = {connection.execute(text('select 1 + 1')).scalar()} (requests {requests.__version__})"
PY
echo 'web: gunicorn app:app --bind 0.0.0.0:$PORT' > "$app/Procfile"
# The wheels were downloaded for the machine's python3, so the app asks for that series.
python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' > "$app/.python-version"

env_dir="$work/env"
mkdir -p "$env_dir"
printf 1 > "$env_dir/PIP_NO_INDEX"
printf '%s' "$wheelhouse" > "$env_dir/PIP_FIND_LINKS"
# The interpreter comes from this machine (pyenv, uv): the benchmark measures building, not downloading.
printf none > "$env_dir/PYTHON_RUNTIME_INDEX"
export STACK=heroku-24

export compile app work env_dir wheelhouse
# Cold: empty cache every run (the interpreter is copied and made relocatable, then pip installs).
# Cached: the cache of a previous build, same requirements.
hyperfine --warmup 1 --runs 5 --export-markdown "$work/times.md" --export-json "$work/times.json" \
    --prepare 'rm -rf "$work/build" "$work/cold-cache"; cp -a "$app" "$work/build"' \
    -n 'cold compile' '"$compile" "$work/build" "$work/cold-cache" "$env_dir" >/dev/null' \
    --prepare 'rm -rf "$work/build"; cp -a "$app" "$work/build"; [ -d "$work/warm-cache" ] || "$compile" "$work/build" "$work/warm-cache" "$env_dir" >/dev/null; rm -rf "$work/build"; cp -a "$app" "$work/build"' \
    -n 'cached compile' '"$compile" "$work/build" "$work/warm-cache" "$env_dir" >/dev/null' \
    --prepare 'rm -rf "$work/target"' \
    -n 'pip install --target' 'python3 -m pip install --quiet --no-index --find-links "$wheelhouse" --target "$work/target" -r "$app/requirements.txt"'

rm -rf "$work/build" && cp -a "$app" "$work/build" && "$compile" "$work/build" "$work/warm-cache" "$env_dir" >/dev/null
tar czf "$work/slug.tgz" -C "$work/build" .
rm -rf "$work/target"
python3 -m pip install --quiet --no-index --find-links "$wheelhouse" --target "$work/target" -r "$app/requirements.txt"
cp -a "$app/." "$work/target/"
start=$(date +%s.%N); tar czf "$work/target.tgz" -C "$work/target" .; end=$(date +%s.%N)

echo
echo "slug (buildpack build dir, tar czf): $(stat -c %s "$work/slug.tgz") bytes"
echo "pip install --target + app, tar czf: $(stat -c %s "$work/target.tgz") bytes ($(echo "$end - $start" | bc) s to tar)"
echo ".heroku/python (interpreter + packages): $(du -sh "$work/build/.heroku/python" | cut -f1), $(find "$work/build/.heroku/python" | wc -l) files; pip --target: $(du -sh "$work/target" | cut -f1)"
echo
# The ratio the project holds to: a cached rebuild at most a third of a cold one.
python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
print(f"cached / cold compile: {results['cached compile'] / results['cold compile']:.2f} "
      f"({results['cached compile']:.2f} s / {results['cold compile']:.2f} s, medians)")
PY
