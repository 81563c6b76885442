"""Make the packages installed into .heroku/python run from wherever the slug is extracted.

pip (and venv, for a virtual environment) write absolute paths of the build directory in a few known places: console
script shebangs, pyvenv.cfg's `command`, the activate scripts, `.pth`/`.egg-link` files of
editable installs, setuptools' editable finder and `direct_url.json` of local packages. Each is rewritten to something
relative (or dropped when it is only metadata), and the RECORD rows of rewritten files get their new
hash and size; anything left is reported.
"""
import base64
import csv
import hashlib
import io
import json
import os

# The interpreter beside the script, found from the script's own location at run time.
RELOCATABLE_SHEBANG = (
    "#!/bin/sh\n"
    "'''exec' \"$(dirname -- \"$(realpath -- \"$0\")\")\"/'python' \"$0\" \"$@\"\n"
    "' '''\n"
)


def relocate(prefix, build_dir):
    """Rewrites `prefix` in place; returns the files that still contain `build_dir`."""
    build = os.path.realpath(build_dir)
    rewritten = set()
    _fix_pyvenv_cfg(prefix, build, rewritten)
    _fix_bin(prefix, build, rewritten)
    for site in site_packages(prefix):
        _fix_site_packages(site, build, rewritten)
        _refresh_records(site, rewritten)
    return leftovers(prefix, build)


def _fix_pyvenv_cfg(venv, build, rewritten):
    path = os.path.join(venv, "pyvenv.cfg")
    if not os.path.isfile(path):
        return  # a whole installation, not a venv
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    # `command` (Python 3.11+) records how venv was run, with the build dir in it; Python never reads it.
    kept = [line for line in lines if not (line.startswith("command") and build in line)]
    _replace(path, ("\n".join(kept) + "\n").encode("utf-8"), rewritten)


def _fix_bin(venv, build, rewritten):
    bin_dir = os.path.join(venv, "bin")
    prefix = os.path.join(build, ".heroku", "python", "bin") + "/"
    for name in sorted(os.listdir(bin_dir)):
        path = os.path.join(bin_dir, name)
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        if name.startswith("activate") or name == "Activate.ps1":
            # Shell activation hard-codes VIRTUAL_ENV; on a dyno PATH from .profile.d does the job.
            os.remove(path)
            continue
        with open(path, "rb") as handle:
            data = handle.read()
        if build.encode() not in data:
            continue
        text = data.decode("utf-8", errors="surrogateescape")
        lines = text.split("\n")
        if lines[0].startswith("#!" + prefix):
            body = lines[1:]
        elif lines[0] == "#!/bin/sh" and len(lines) > 2 and prefix in lines[1] and lines[2] == "' '''":
            body = lines[3:]  # pip's own form for long paths, with the absolute path inside
        else:
            continue
        _replace(path, (RELOCATABLE_SHEBANG + "\n".join(body)).encode("utf-8", errors="surrogateescape"), rewritten)


def _replace(path, data, rewritten):
    """Writes a new file and renames it over `path`, keeping its mode: an installed file may be
    a hard link into uv's cache or the build cache's installed/ (never changed in place).
    `path` joins `rewritten`, so the RECORD that lists it gets its new hash."""
    mode = os.stat(path).st_mode
    staging = path + ".slugc-new"
    with open(staging, "wb") as handle:
        handle.write(data)
    os.chmod(staging, mode & 0o7777)
    os.replace(staging, path)
    rewritten.add(os.path.realpath(path))


def site_packages(venv):
    lib = os.path.join(venv, "lib")
    for entry in sorted(os.listdir(lib)) if os.path.isdir(lib) else []:
        site = os.path.join(lib, entry, "site-packages")
        if os.path.isdir(site):
            yield site


def _relative_line(line, site, build):
    stripped = line.strip()
    if os.path.isabs(stripped) and (stripped == build or stripped.startswith(build + "/")):
        # site.addpackage joins relative lines with the site-packages folder.
        return os.path.relpath(stripped, site)
    return line


def _fix_site_packages(site, build, rewritten):
    for entry in sorted(os.listdir(site)):
        path = os.path.join(site, entry)
        if entry.endswith((".pth", ".egg-link")) and os.path.isfile(path):
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                lines = handle.read().splitlines()
            if any(build in line for line in lines):
                fixed = [_relative_line(line, site, build) for line in lines]
                _replace(path, ("\n".join(fixed) + "\n").encode("utf-8", errors="surrogateescape"), rewritten)
        elif entry.startswith("__editable__") and entry.endswith("_finder.py"):
            _fix_editable_finder(path, site, build, rewritten)
        elif entry.endswith(".dist-info"):
            _drop_local_direct_url(path, build, rewritten)


def _fix_editable_finder(path, site, build, rewritten):
    """setuptools' editable import hook maps package names to absolute folders; make them
    relative to the hook's own location, computed when it is imported."""
    with open(path, encoding="utf-8") as handle:
        source = handle.read()
    if build not in source:
        return
    for quote in ("'", '"'):
        source = source.replace(f"{quote}{build}{quote}", "_SLUG_ROOT")
        source = source.replace(f"{quote}{build}/", f"_SLUG_ROOT + {quote}/")
    root = os.path.relpath(build, site)
    anchor = "\nMAPPING" if "\nMAPPING" in source else "\nimport sys"
    definition = f"\n_SLUG_ROOT = __import__('os').path.normpath(__import__('os').path.join(__import__('os').path.dirname(__file__), {root!r}))"
    source = source.replace(anchor, definition + anchor, 1)
    _replace(path, source.encode("utf-8"), rewritten)


def _drop_local_direct_url(dist_info, build, rewritten):
    """direct_url.json of a package installed from the app's own folder holds a file:// URL of the build dir.
    It only feeds `pip freeze`, so it goes, and RECORD stops listing it."""
    path = os.path.join(dist_info, "direct_url.json")
    try:
        with open(path, encoding="utf-8") as handle:
            url = json.load(handle).get("url", "")
    except (OSError, ValueError):
        return
    if build not in url:
        return
    os.remove(path)
    record = os.path.join(dist_info, "RECORD")
    if os.path.isfile(record):
        with open(record, encoding="utf-8") as handle:
            rows = handle.read().splitlines()
        kept = [row for row in rows if not row.split(",", 1)[0].endswith("/direct_url.json")]
        _replace(record, ("\n".join(kept) + "\n").encode("utf-8"), rewritten)


def _refresh_records(site, rewritten):
    """Gives the RECORD rows of rewritten files their new hash and size. The installer hashed
    them while they still held the build folder's path, which differs on every build: left
    stale, every slug's RECORDs would differ, and `pip` would see files that fail their hash."""
    if not rewritten:
        return
    for entry in sorted(os.listdir(site)):
        record = os.path.join(site, entry, "RECORD")
        if not entry.endswith(".dist-info") or not os.path.isfile(record):
            continue
        with open(record, encoding="utf-8", newline="") as handle:
            lines = handle.read().splitlines(keepends=True)
        changed = False
        for number, line in enumerate(lines):
            row = next(csv.reader([line]), [])
            if len(row) != 3 or not row[1]:
                continue
            path = os.path.realpath(os.path.join(site, row[0]))
            if path not in rewritten:
                continue
            with open(path, "rb") as handle:
                data = handle.read()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            out = io.StringIO()
            ending = line[len(line.rstrip("\r\n")):]
            csv.writer(out, lineterminator=ending).writerow([row[0], f"sha256={digest}", str(len(data))])
            changed = changed or out.getvalue() != line
            lines[number] = out.getvalue()
        if changed:
            _replace(record, "".join(lines).encode("utf-8"), rewritten)


def leftovers(root, build):
    """Files under `root` whose bytes contain `build` (symlinks are checked by their target)."""
    needle, found = build.encode(), []
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            try:
                if os.path.islink(path):
                    if build in os.readlink(path):
                        found.append(path)
                    continue
                with open(path, "rb") as handle:
                    if needle in handle.read():
                        found.append(path)
            except OSError:
                continue
    return found
