#!/usr/bin/env bash
# Cold vs cached compile of a realistic Python app (Flask + gunicorn + SQLAlchemy + requests)
# by the built-in Python buildpack, for the same app under pip (requirements.txt), uv (uv.lock)
# and Poetry (poetry.lock) side by side, next to what a user would otherwise do:
# `pip install --target` + `tar czf`.
#
#   Benchmarks/python-rebuild.sh [WHEELHOUSE [TOOL_WHEELS]]
#
# WHEELHOUSE: a folder of wheels for the app; TOOL_WHEELS: wheels of uv, Poetry and their
# dependencies (default $SLUGC_TEST_TOOL_WHEELS, which .ci/run fills). Either missing is fetched
# once with `pip download` into a temporary folder (the only steps that use the network).
# The uv and Poetry lock files are made here, against a local index of WHEELHOUSE
# (Tests/python-index/serve.py on a free port), with the versions the buildpack pins.
# Needs hyperfine. Prints hyperfine's tables, sizes, and per manager:
#   cached / cold compile        (target ≤ 0.33)
#   uv's / pip's cold install    (target ≤ 0.5): a compile whose cache has the interpreter and
#                                the tool but no installed packages and no downloaded wheels.
# Put TMPDIR on /dev/shm to take this machine's slow disk out of the figures.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
compile="$root/Buildpacks/python/bin/compile"
work=$(mktemp -d "${TMPDIR:-/tmp}/python-bench.XXXXXX")
index_pid=
trap '[ -z "$index_pid" ] || kill "$index_pid"; rm -rf "$work"' EXIT
runs=${RUNS:-3}

wheelhouse=${1:-}
if [ -z "$wheelhouse" ]; then
    wheelhouse="$work/wheelhouse"
    python3 -m pip download --quiet --only-binary=:all: -d "$wheelhouse" \
        flask gunicorn sqlalchemy requests
fi
tool_wheels=${2:-${SLUGC_TEST_TOOL_WHEELS:-}}
pins=$(python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import tools; print(" ".join(f"{n}=={v}" for n, v in sorted(tools.PINNED.items()) if n != "pipenv"))' "$root/Buildpacks/python/lib")
if [ -z "$tool_wheels" ]; then
    tool_wheels="$work/tool-wheels"
    # shellcheck disable=SC2086  # one argument per pin
    python3 -m pip download --quiet --only-binary=:all: -d "$tool_wheels" $pins
fi

# The lock tools, for making the lock files only (the buildpack installs its own into its cache).
python3 -m venv "$work/lockers"
# shellcheck disable=SC2086
"$work/lockers/bin/pip" install --quiet --no-index --find-links "$tool_wheels" $pins
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 "$root/Tests/python-index/serve.py" --wheels "$wheelhouse" --port "$port" >/dev/null 2>&1 &
index_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/simple/" >/dev/null && break; sleep 0.1; done
index="http://127.0.0.1:$port/simple/"

series=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
app="$work/app"
mkdir -p "$app"
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
echo "$series" > "$app/.python-version"

for manager in pip uv poetry; do cp -a "$app" "$work/app-$manager"; done
printf 'flask\ngunicorn\nsqlalchemy\nrequests\n' > "$work/app-pip/requirements.txt"
cat > "$work/app-uv/pyproject.toml" <<TOML
[project]
name = "bench"
version = "0.1.0"
requires-python = ">=$series"
dependencies = ["flask", "gunicorn", "sqlalchemy", "requests"]

[tool.uv]
package = false

[[tool.uv.index]]
name = "local"
url = "$index"
default = true
TOML
cat > "$work/app-poetry/pyproject.toml" <<TOML
[project]
name = "bench"
version = "0.1.0"
requires-python = ">=$series"
dependencies = ["flask", "gunicorn", "sqlalchemy", "requests"]

[tool.poetry]
package-mode = false

[[tool.poetry.source]]
name = "local"
url = "$index"
priority = "primary"
TOML
(cd "$work/app-uv" && UV_CACHE_DIR="$work/lock-cache" "$work/lockers/bin/uv" lock --quiet)
(cd "$work/app-poetry" && POETRY_CACHE_DIR="$work/lock-cache" "$work/lockers/bin/poetry" lock --quiet)

env_dir="$work/env"
mkdir -p "$env_dir"
printf 1 > "$env_dir/PIP_NO_INDEX"
# pip installs the app's packages (pip) and the tools (uv, Poetry) from these folders.
printf '%s %s' "$wheelhouse" "$tool_wheels" > "$env_dir/PIP_FIND_LINKS"
# The interpreter comes from this machine (pyenv, uv): the benchmark measures building, not downloading.
printf none > "$env_dir/PYTHON_RUNTIME_INDEX"
export STACK=heroku-24

# Per manager: a warm cache (a previous build of the same app) and a primed one (the same, less
# the installed packages and every downloaded wheel: what a cold install starts from). The
# primed one is built where the cold runs use it: a tool's virtual environment names its path.
for manager in pip uv poetry; do
    rm -rf "$work/build" && cp -a "$work/app-$manager" "$work/build"
    "$compile" "$work/build" "$work/warm-$manager" "$env_dir" >/dev/null
    rm -rf "$work/build" "$work/cold-cache" && cp -a "$work/app-$manager" "$work/build"
    "$compile" "$work/build" "$work/cold-cache" "$env_dir" >/dev/null
    rm -rf "$work/cold-cache/python/"{installed,pip,uv-cache,poetry-cache} "$work/cold-cache/python/state.json"
    mv "$work/cold-cache" "$work/primed-$manager"
done

export compile work env_dir wheelhouse
arguments=()
for manager in pip uv poetry; do
    arguments+=(--prepare "rm -rf \"\$work/build\" \"\$work/cold-cache\"; cp -a \"\$work/app-$manager\" \"\$work/build\""
                -n "$manager cold compile" '"$compile" "$work/build" "$work/cold-cache" "$env_dir" >/dev/null'
                --prepare "rm -rf \"\$work/build\" \"\$work/cold-cache\"; cp -a \"\$work/app-$manager\" \"\$work/build\"; cp -a \"\$work/primed-$manager\" \"\$work/cold-cache\""
                -n "$manager cold install" '"$compile" "$work/build" "$work/cold-cache" "$env_dir" >/dev/null'
                --prepare "rm -rf \"\$work/build\"; cp -a \"\$work/app-$manager\" \"\$work/build\""
                -n "$manager cached compile" "\"\$compile\" \"\$work/build\" \"\$work/warm-$manager\" \"\$env_dir\" >/dev/null")
done
hyperfine --runs "$runs" --export-markdown "$work/times.md" --export-json "$work/times.json" "${arguments[@]}" \
    --prepare 'rm -rf "$work/target"' \
    -n 'pip install --target' 'python3 -m pip install --quiet --no-index --find-links "$wheelhouse" --target "$work/target" -r "$work/app-pip/requirements.txt"'

echo
for manager in pip uv poetry; do
    rm -rf "$work/build" && cp -a "$work/app-$manager" "$work/build" && "$compile" "$work/build" "$work/warm-$manager" "$env_dir" >/dev/null
    tar czf "$work/slug-$manager.tgz" -C "$work/build" .
    echo "$manager slug (tar czf): $(stat -c %s "$work/slug-$manager.tgz") bytes; .heroku/python: $(du -sh "$work/build/.heroku/python" | cut -f1), $(find "$work/build/.heroku/python" | wc -l) files"
done
rm -rf "$work/target"
python3 -m pip install --quiet --no-index --find-links "$wheelhouse" --target "$work/target" -r "$work/app-pip/requirements.txt"
cp -a "$app/." "$work/target/"
start=$(date +%s.%N); tar czf "$work/target.tgz" -C "$work/target" .; end=$(date +%s.%N)
echo "pip install --target + app, tar czf: $(stat -c %s "$work/target.tgz") bytes ($(echo "$end - $start" | bc) s to tar)"
echo
# The ratios the project holds to: a cached rebuild at most a third of a cold one, for every
# manager; uv's cold install at most half of pip's.
python3 - "$work/times.json" <<'PY'
import json, sys
results = {r["command"]: r["median"] for r in json.load(open(sys.argv[1]))["results"]}
for manager in ("pip", "uv", "poetry"):
    cached, cold = results[f"{manager} cached compile"], results[f"{manager} cold compile"]
    print(f"{manager:6} cached / cold compile: {cached / cold:.2f} ({cached:.2f} s / {cold:.2f} s, medians; target <= 0.33)")
for manager in ("uv", "poetry"):
    mine, pip = results[f"{manager} cold install"], results["pip cold install"]
    print(f"{manager:6} / pip cold install: {mine / pip:.2f} ({mine:.2f} s / {pip:.2f} s, medians{'; target <= 0.5' if manager == 'uv' else ''})")
PY
