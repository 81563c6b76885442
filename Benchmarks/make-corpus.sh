#!/usr/bin/env bash
# Builds a realistic app tree for the pack benchmark, outside the repository:
#   installed Python packages copied several times (what most slugs are made of), generated
#   files of mixed compressibility (text, JSON, binary-ish data, incompressible blobs like
#   wheels and images), and 50 000 small files (node_modules-style).
# Usage: Benchmarks/make-corpus.sh [DIR] [PACKAGES_MB]   (default DIR: /tmp/slugc-bench-corpus, 200)
#
# The source-like files (src/ and node_modules/) are slices of the machine's own Python standard
# library, so they compress as code does (gzip -6: 0.24 for 1 MB files, 0.29 for small ones).
# TEXT=words makes them from random words instead, as the first version of this script did:
# that text compresses to 0.43, worse than any code, and is libdeflate's slowest case.
# Earlier figures in the issue notes were measured on that corpus.
set -euo pipefail

dir="${1:-/tmp/slugc-bench-corpus}"
packages_mb="${2:-200}"
case "$(realpath -m "$dir")" in
  "$(realpath "$(dirname "$0")/..")"*) echo "make-corpus: put the corpus outside the repository" >&2; exit 64 ;;
esac
rm -rf "$dir"
mkdir -p "$dir/app"

# 1. Installed Python packages, from whichever site-packages folders the machine has, copied
#    until PACKAGES_MB is reached (each copy under its own name, like vendored virtualenvs).
sources=()
for candidate in $(python3 -c 'import site, sysconfig; print(" ".join(site.getsitepackages() + [sysconfig.get_paths()["stdlib"]]))') /usr/lib/python3/dist-packages; do
  [ -d "$candidate" ] && sources+=("$candidate")
done
copy=0
while [ "$(du -sm "$dir/app" | cut -f1)" -lt "$packages_mb" ] && [ "${#sources[@]}" -gt 0 ]; do
  for src in "${sources[@]}"; do
    target="$dir/app/.heroku/python-$copy/$(basename "$src")"
    mkdir -p "$target"
    # Top-level packages one by one, so a huge site-packages stops near the budget.
    for entry in "$src"/*; do
      cp -a "$entry" "$target/" 2>/dev/null || true
      [ "$(du -sm "$dir/app" | cut -f1)" -ge "$packages_mb" ] && break 2
    done
  done
  copy=$((copy + 1))
done

# 2 + 3. Generated files (seeded, so every run builds the same corpus) and 50 000 small files.
TEXT="${TEXT:-source}" python3 - "$dir/app" <<'PY'
import json, os, random, sys, sysconfig
root = sys.argv[1]
rng = random.Random(42)
# Drawn in both modes, so the JSON and binary files below stay the same whatever TEXT is.
words = [("".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 12)))) for _ in range(4000)]

def stdlib_source():
    stdlib = sysconfig.get_paths()["stdlib"]
    paths = []
    for folder, subfolders, files in os.walk(stdlib):
        subfolders[:] = sorted(d for d in subfolders if d not in ("test", "tests", "site-packages", "__pycache__"))
        paths += [os.path.join(folder, f) for f in sorted(files) if f.endswith(".py")]
    return b"".join(open(p, "rb").read() for p in paths)

source = stdlib_source() if os.environ["TEXT"] == "source" else None

def text(n):
    if source is not None:                # a slice of real code, as a file of an app would be
        start = rng.randrange(0, len(source) - n)
        return source[start:start + n]
    out, size = [], 0
    while size < n:
        line = "    " * rng.randint(0, 3) + " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) + "\n"
        out.append(line); size += len(line)
    return "".join(out)[:n].encode()

def write(rel, data, mode=0o644):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f: f.write(data)
    os.chmod(path, mode)

for i in range(40):                       # source-like text, ~1 MB each
    write(f"src/module_{i:03}.py", text(1_000_000))
for i in range(20):                       # JSON data files, ~1 MB each
    records = [{"id": rng.randint(0, 10**9), "name": rng.choice(words), "score": rng.random(), "tags": rng.sample(words, 3)} for _ in range(9000)]
    write(f"data/records_{i:02}.json", json.dumps(records, indent=1).encode())
for i in range(10):                       # binary-ish: repetitive structs with noise, ~2 MB each
    chunk = bytes(rng.randint(0, 15) if j % 7 else rng.randint(0, 255) for j in range(65536))
    write(f"bin/lib_{i}.so", chunk * 32, 0o755)
for i in range(8):                        # incompressible: archives, images, ~2.5 MB each
    write(f"public/assets/image_{i}.png", os.urandom(2_500_000))
for i in range(50_000):                   # small files: 100 B – 3 KB
    write(f"node_modules/pkg{i // 200:03}/lib/file{i % 200:03}.js", text(rng.randint(100, 3000)))
os.symlink("src/module_000.py", os.path.join(root, "main.py"))
PY
du -sh "$dir/app"
find "$dir/app" | wc -l | sed 's/$/ entries/'
