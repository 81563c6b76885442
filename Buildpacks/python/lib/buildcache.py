"""CACHE_DIR/python: installed interpreters, the last build's `.heroku/python`, pip's cache.

Layout:  python/state.json        {"layout", "stack", "python", "runtime", "key", "manager", "manager_version",
                                  "inputs"} of the last build
         python/tools/<name>-<v>/ uv, Poetry or Pipenv at the pinned version (tools.py)
         python/uv-cache/, poetry-cache/, pipenv-cache/   the tools' own download caches
         python/runtimes/<key>/   an interpreter ready to copy: python/ (the tree), pip-*.whl, runtime.json
         python/installed/        the last build's .heroku/python (interpreter + the app's packages)
         python/installed-app/    what that install wrote into the app's folder (`*.egg-info`, apptree.py)
         python/pip/              PIP_CACHE_DIR (downloaded and built wheels)
         python/probes.json       what the machine's interpreters said when probed, by path, size and mtime
A runtime folder appears under its final name only once complete (built beside it, then
renamed), so an interrupted build never leaves a half-installed interpreter to reuse.
A lock file beside it serialises builds that share CACHE_DIR outside slugc (slugc locks too).
"""
import fcntl
import hashlib
import json
import os
import shutil
import subprocess

import apptree

# Bump when the installed layout changes, so caches from an older buildpack are not reused
# (3: installed-app/, so a cache of layout 2 would restore an app without its egg-info).
LAYOUT = "slugc-python-prefix-3"


class BuildCache:
    def __init__(self, cache_dir):
        self.root = os.path.join(cache_dir, "python")
        self.runtimes = os.path.join(self.root, "runtimes")
        self.installed = os.path.join(self.root, "installed")
        self.installed_app = os.path.join(self.root, "installed-app")
        self.pip = os.path.join(self.root, "pip")
        self.downloads = os.path.join(self.root, "downloads")
        self.state_file = os.path.join(self.root, "state.json")
        self.probes_file = os.path.join(self.root, "probes.json")
        self.lock_path = os.path.join(cache_dir, "python.lock")
        self._lock = None

    def __enter__(self):
        os.makedirs(self.runtimes, exist_ok=True)
        self._lock = open(self.lock_path, "a")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        if self.state().get("layout") not in (None, LAYOUT):
            self._clear_all()  # written by an older buildpack: nothing in it is reusable
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.downloads, ignore_errors=True)
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()
        return False

    def state(self):
        return _read_dict(self.state_file)

    def write_state(self, **values):
        _write_json(self.state_file, dict(values, layout=LAYOUT))

    def probes(self):
        return _read_dict(self.probes_file)

    def write_probes(self, probes):
        _write_json(self.probes_file, probes)

    # --- interpreters ------------------------------------------------------------------

    def cached_runtimes(self):
        """[(key, metadata)] of complete interpreters."""
        found = []
        for key in sorted(os.listdir(self.runtimes)):
            if key.startswith("."):
                continue
            try:
                with open(os.path.join(self.runtimes, key, "runtime.json"), encoding="utf-8") as handle:
                    meta = json.load(handle)
            except (OSError, ValueError):
                continue
            if isinstance(meta, dict) and isinstance(meta.get("version"), str) and os.path.isdir(self.tree(key)):
                found.append((key, meta))
        return found

    def tree(self, key):
        return os.path.join(self.runtimes, key, "python")

    def pip_wheel(self, key):
        folder = os.path.join(self.runtimes, key)
        wheels = sorted(name for name in os.listdir(folder) if name.startswith("pip-") and name.endswith(".whl"))
        return os.path.join(folder, wheels[-1]) if wheels else None

    def add_runtime(self, key, meta, prepare):
        """Runs `prepare(folder)` to fill a new runtime folder, then publishes it under `key`."""
        staging = os.path.join(self.runtimes, "." + key + ".partial")
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging)
        try:
            prepare(staging)
            with open(os.path.join(staging, "runtime.json"), "w", encoding="utf-8") as handle:
                json.dump(meta, handle, indent=2, sort_keys=True)
            final = os.path.join(self.runtimes, key)
            shutil.rmtree(final, ignore_errors=True)
            os.rename(staging, final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def prune_runtimes(self, keep):
        """Only the interpreter this build used stays: a cache must not grow with every version tried."""
        for key in os.listdir(self.runtimes):
            if key != keep:
                shutil.rmtree(os.path.join(self.runtimes, key), ignore_errors=True)

    def scratch(self):
        shutil.rmtree(self.downloads, ignore_errors=True)
        os.makedirs(self.downloads)
        return self.downloads

    # --- the installed packages --------------------------------------------------------

    def has_installed(self, key):
        return self.state().get("key") == key and os.path.isdir(self.installed)

    def restore_installed(self, destination, build, cache_links=None):
        """Puts the last build's packages at `destination`. Under slugc (`cache_links`, the file
        $SLUGC_CACHE_LINKS names) as a symlink to the cache, listed in that file: slugc packs the
        folder it points to and copies it in before anything else may write there, so a rebuild
        neither links 9,000 files in nor removes them again. Elsewhere as hard links."""
        if cache_links:
            os.symlink(self.installed, destination)
            with open(cache_links, "a", encoding="utf-8") as handle:
                handle.write(os.path.relpath(destination, build) + "\n")
        else:
            _link_or_copy(self.installed, destination)
        if not os.path.isdir(self.installed_app):
            return
        # Copied, not linked: these live in the app's folder, which later steps may edit.
        for relative in apptree.egg_info_folders(self.installed_app):
            target = os.path.join(build, relative)
            if not os.path.lexists(target):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                _copy(os.path.join(self.installed_app, relative), target)

    def save_installed(self, source, build, app_folders):
        """Keeps `source` (the prefix) and the `app_folders` (relative to `build`) the install made."""
        staging = self.installed + ".new"
        app_staging = self.installed_app + ".new"
        for path in (staging, app_staging):
            shutil.rmtree(path, ignore_errors=True)
        _link_or_copy(source, staging)
        os.makedirs(app_staging)
        for relative in app_folders:
            os.makedirs(os.path.dirname(os.path.join(app_staging, relative)), exist_ok=True)
            _copy(os.path.join(build, relative), os.path.join(app_staging, relative))
        for path in (self.installed, self.installed_app):
            shutil.rmtree(path, ignore_errors=True)
        os.rename(app_staging, self.installed_app)
        os.rename(staging, self.installed)

    def discard_installed(self, wheels=True):
        """The packages go; with `wheels`, so do the downloaded and built wheels of every tool
        (they were built for another interpreter or stack)."""
        paths = [self.installed, self.installed_app]
        if wheels:
            paths += [self.pip] + [os.path.join(self.root, name) for name in ("uv-cache", "poetry-cache", "pipenv-cache")]
        for path in paths:
            shutil.rmtree(path, ignore_errors=True)

    def _clear_all(self):
        for entry in os.listdir(self.root):
            path = os.path.join(self.root, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)
        os.makedirs(self.runtimes, exist_ok=True)


def _read_dict(path):
    """A JSON object from `path`; {} when it is missing or damaged (the cache then starts over)."""
    try:
        with open(path, encoding="utf-8") as handle:
            value = json.load(handle)
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_json(path, value):
    """Replaces `path` only with a complete file, so a killed build never leaves half a state."""
    with open(path + ".new", "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=1, sort_keys=True)
    os.replace(path + ".new", path)


def share_runtime(source, destination):
    """The cached interpreter put at `destination` as hard links where it can (1,700 files of a
    trimmed interpreter, 4,000+ of a downloaded one: linking writes no file data), for the same
    reason and with the same safety as the installed packages (`_link_or_copy`)."""
    _link_or_copy(source, destination)


def _copy(source, destination):
    # cp -a keeps symlinks (bin/python -> python3.X) and modes, and is faster than shutil for many files.
    subprocess.run(["cp", "-a", source, destination], check=True)


def _link_or_copy(source, destination):
    """The installed packages shared by hard links between the cache and the build dir (a no-change
    rebuild then writes no file data: 2,000+ files of a Flask app in a fraction of the time a copy
    takes), else copied (another file system). Safe because nothing modifies an installed file in
    place once it is installed: the build only adds files (collectstatic writes outside the prefix),
    Python replaces bytecode by renaming, and slugc only reads the tree to pack it."""
    linked = subprocess.run(["cp", "-al", source, destination], capture_output=True)
    if linked.returncode != 0:
        shutil.rmtree(destination, ignore_errors=True)
        _copy(source, destination)


def digests(inputs_dir, inputs):
    """{relative path: SHA-256} of the files the installed packages depend on."""
    found = {}
    for relative in sorted(set(inputs)):
        with open(os.path.join(inputs_dir, relative), "rb") as handle:
            found[relative] = hashlib.sha256(handle.read()).hexdigest()
    return found


def cache_key(runtime_key, inputs, config, stack, manager, prefixes):
    """What the installed packages depend on: the interpreter, the stack, the package manager
    and its version, the digests of its input files (requirement files and local package
    metadata, or the lock file and its manifest), and the config vars that reach it."""
    digest = hashlib.sha256()
    digest.update(f"{LAYOUT}\n{runtime_key}\n{stack}\n{manager}\n".encode())
    for relative in sorted(inputs):
        digest.update(f"file {relative} {inputs[relative]}\n".encode())
    for name in sorted(config):
        if name.startswith(prefixes):
            digest.update(f"env {name}={config[name]}\n".encode())
    return digest.hexdigest()
