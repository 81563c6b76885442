"""CACHE_DIR/python: the installed virtual environment of the last build, its key, and pip's cache.

Layout:  python/state.json  {"python", "executable", "key"}
         python/venv/       a relocated copy of BUILD_DIR/.heroku/python
         python/pip/        PIP_CACHE_DIR (downloaded and built wheels)
A lock file beside it serialises builds that share CACHE_DIR outside slugc (slugc locks too).
"""
import fcntl
import hashlib
import json
import os
import shutil
import subprocess

# Bump when the installed layout changes, so caches from an older buildpack are not reused.
LAYOUT = "slugc-python-venv-1"


class BuildCache:
    def __init__(self, cache_dir):
        self.root = os.path.join(cache_dir, "python")
        self.venv = os.path.join(self.root, "venv")
        self.pip = os.path.join(self.root, "pip")
        self.state_file = os.path.join(self.root, "state.json")
        self.lock_path = os.path.join(cache_dir, "python.lock")
        self._lock = None

    def __enter__(self):
        os.makedirs(self.root, exist_ok=True)
        self._lock = open(self.lock_path, "a")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self._lock, fcntl.LOCK_UN)
        self._lock.close()
        return False

    def state(self):
        try:
            with open(self.state_file, encoding="utf-8") as handle:
                state = json.load(handle)
            return state if isinstance(state, dict) else {}
        except (OSError, ValueError):
            return {}

    def discard(self):
        """Everything goes, pip's wheels too: they were built for another interpreter."""
        for entry in os.listdir(self.root):
            path = os.path.join(self.root, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.remove(path)

    def has_venv(self, key):
        return self.state().get("key") == key and os.path.isdir(self.venv)

    def restore(self, destination):
        _copy(self.venv, destination)

    def save(self, source, interpreter, key):
        staging = self.venv + ".new"
        shutil.rmtree(staging, ignore_errors=True)
        _copy(source, staging)
        shutil.rmtree(self.venv, ignore_errors=True)
        os.rename(staging, self.venv)
        state = {"python": interpreter.version, "executable": interpreter.executable, "key": key}
        with open(self.state_file + ".new", "w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=2, sort_keys=True)
        os.replace(self.state_file + ".new", self.state_file)


def _copy(source, destination):
    # cp -a keeps symlinks (bin/python points at the stack's interpreter) and modes.
    subprocess.run(["cp", "-a", source, destination], check=True)


def cache_key(build_dir, interpreter, inputs, config):
    """What the installed packages depend on: the interpreter, the requirement files and local
    package metadata, and pip's configuration from the config vars."""
    digest = hashlib.sha256()
    digest.update(f"{LAYOUT}\n{interpreter.version}\n{interpreter.executable}\n".encode())
    for relative in sorted(set(inputs)):
        with open(os.path.join(build_dir, relative), "rb") as handle:
            digest.update(f"file {relative} {hashlib.sha256(handle.read()).hexdigest()}\n".encode())
    for name in sorted(config):
        if name.startswith("PIP_"):
            digest.update(f"env {name}={config[name]}\n".encode())
    return digest.hexdigest()
