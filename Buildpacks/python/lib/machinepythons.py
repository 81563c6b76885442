"""Interpreters already on the build machine that can be copied into a slug.

Looked for in three places: `python3`/`python3.X` on PATH, pyenv's versions folder
($PYENV_ROOT, else ~/.pyenv) and uv's managed Pythons ($UV_PYTHON_INSTALL_DIR, else
$XDG_DATA_HOME/uv/python or ~/.local/share/uv/python). Each is identified by its real
binary — a pyenv shim is a script that picks a version from the current folder, so shims
are never run — and probed from `/`, never from the app's folder.

Only a CPython installed in the standard prefix layout (`bin/python3.X`,
`lib/python3.X/site-packages`) can be moved; a Linux distribution's own Python (Debian puts
packages in dist-packages and patches the install scheme) is reported as skipped, with why.
"""
import concurrent.futures
import glob
import json
import os
import re
import subprocess

PROBE = r"""
import json, os, platform, sys, sysconfig
base = sys.base_prefix
series = "%d.%d" % sys.version_info[:2]
paths = sysconfig.get_paths(vars={"base": base, "platbase": base, "installed_base": base, "installed_platbase": base})
print(json.dumps({
    "version": platform.python_version(),
    "implementation": sys.implementation.name,
    "prefix": base,
    "executable": os.path.realpath(sys.executable),
    "series": series,
    "stdlib": paths.get("stdlib"),
    "purelib": paths.get("purelib"),
    "scheme": sysconfig.get_default_scheme() if hasattr(sysconfig, "get_default_scheme") else "posix_prefix",
}))
"""


class MachinePython:
    def __init__(self, version, prefix, executable, series):
        self.version = version        # "3.11.7"
        self.prefix = prefix          # "/root/.pyenv/versions/3.11.7"
        self.executable = executable  # the real binary
        self.series = series          # "3.11"

    @property
    def identity(self):
        """What the cache keys a copy of it by: where it is and which build of it that is."""
        info = os.stat(self.executable)
        return f"{self.executable}:{info.st_size}:{int(info.st_mtime)}"


class Skipped:
    def __init__(self, path, reason):
        self.path = path
        self.reason = reason


def _is_elf(path):
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def candidate_paths(environment):
    """Real interpreter binaries worth probing, in the order they were found, each once."""
    found = []
    for folder in environment.get("PATH", "").split(os.pathsep):
        if not folder:
            continue
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        found += [os.path.join(folder, name) for name in names if re.fullmatch(r"python3(\.\d+)?", name)]
    home = environment.get("HOME", os.path.expanduser("~"))
    pyenv = environment.get("PYENV_ROOT") or os.path.join(home, ".pyenv")
    found += sorted(glob.glob(os.path.join(pyenv, "versions", "*", "bin", "python3")))
    uv = environment.get("UV_PYTHON_INSTALL_DIR") or os.path.join(
        environment.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share"), "uv", "python")
    found += sorted(glob.glob(os.path.join(uv, "cpython-*", "bin", "python3")))
    seen, real = set(), []
    for path in found:
        resolved = os.path.realpath(path)
        if resolved in seen or not os.access(resolved, os.X_OK) or not _is_elf(resolved):
            continue  # a shim or wrapper script, or one already listed
        seen.add(resolved)
        real.append(resolved)
    return real


def _probe(executable):
    try:
        result = subprocess.run([executable, "-E", "-s", "-I", "-c", PROBE], capture_output=True, text=True,
                                timeout=20, stdin=subprocess.DEVNULL, cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    try:
        return json.loads(result.stdout)
    except ValueError:
        return None


def _judge(executable, facts):
    """A MachinePython, or a Skipped saying why this one cannot go into a slug."""
    if facts is None:
        return Skipped(executable, "it does not run")
    if facts["implementation"] != "cpython":
        return Skipped(executable, f"it is {facts['implementation']}, not CPython")
    prefix, series = facts["prefix"], facts["series"]
    expected_lib = os.path.join(prefix, "lib", "python" + series)
    if facts["stdlib"] != expected_lib or facts["purelib"] != os.path.join(expected_lib, "site-packages") \
            or facts["scheme"] != "posix_prefix":
        return Skipped(executable, "it is a Linux distribution's own Python (its install layout is patched), "
                                   "which cannot be moved into a slug")
    if not os.path.isfile(os.path.join(expected_lib, "os.py")):
        return Skipped(executable, f"its standard library is not at {expected_lib}")
    return MachinePython(facts["version"], prefix, facts["executable"], series)


def _fingerprint(path):
    info = os.stat(path)
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def discover(environment, known=None):
    """(usable, skipped) interpreters of this machine.

    `known` maps a binary's path, size and mtime to what probing it said; it is updated, so a
    caller that keeps it (the build cache does) probes each interpreter only once, not every build."""
    known = {} if known is None else known
    paths = candidate_paths(environment)
    fingerprints = [_fingerprint(path) for path in paths]
    missing = [(path, fingerprint) for path, fingerprint in zip(paths, fingerprints) if fingerprint not in known]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for (path, fingerprint), fact in zip(missing, pool.map(_probe, [path for path, _ in missing])):
            if fact is not None:
                known[fingerprint] = fact
    facts = [known.get(fingerprint) for fingerprint in fingerprints]
    for stale in set(known) - set(fingerprints):
        del known[stale]  # an interpreter that was removed or rebuilt
    usable, skipped, prefixes = [], [], set()
    for executable, fact in zip(paths, facts):
        judged = _judge(executable, fact)
        if isinstance(judged, Skipped):
            skipped.append(judged)
        elif judged.prefix not in prefixes:
            prefixes.add(judged.prefix)
            usable.append(judged)
    return usable, skipped
