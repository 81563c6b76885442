"""Writes the buildpack's default runtime index from uv's download-metadata.json.

    python3 tools/runtime-index-from-uv.py download-metadata.json > runtime-index.json

uv's file (crates/uv-python/download-metadata.json in astral-sh/uv) lists every
python-build-standalone archive with its SHA-256. The index keeps the ones a slug can use:
CPython 3.9 and newer, final releases, glibc Linux on x86_64 and aarch64, the default build
(not debug, not free-threaded), in the `install_only` layout (`python/bin/python3`, `python/lib/...`).
"""
import json
import sys

ARCHITECTURES = ("x86_64", "aarch64")


def entries(metadata):
    for entry in metadata.values():
        arch = entry.get("arch", {})
        if (entry.get("name") != "cpython" or entry.get("os") != "linux" or entry.get("libc") != "gnu"
                or entry.get("variant") is not None or entry.get("prerelease") or arch.get("variant") is not None
                or arch.get("family") not in ARCHITECTURES or entry.get("major") != 3 or entry.get("minor", 0) < 9):
            continue
        if "install_only" not in entry["url"]:
            continue
        yield {
            "version": f"{entry['major']}.{entry['minor']}.{entry['patch']}",
            "platform": f"linux-{arch['family']}-gnu",
            "url": entry["url"],
            "sha256": entry["sha256"],
        }


def main(path):
    with open(path, encoding="utf-8") as handle:
        metadata = json.load(handle)
    versions = sorted(entries(metadata), key=lambda e: ([-int(p) for p in e["version"].split(".")], e["platform"]))
    json.dump({"versions": versions}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
