"""Turns a CPython installation into the slug's `.heroku/python`: a whole, relocatable Python.

From a machine's prefix (copied) or an unpacked index archive (trimmed in place):
- keeps `bin/python3.X` (with `python3` and `python` beside it), `lib/libpython*`, the
  standard library and `include/` (so pip can still build C extensions at compile time);
- leaves out what a server never needs: the stdlib's tests, idlelib, tkinter, turtledemo,
  ensurepip's wheels (pip's wheel is kept aside to run pip at build time, outside the slug),
  the static libpython, man pages, debug symbols, and whatever packages the source had;
- rewrites absolute RUNPATHs to `$ORIGIN`-relative ones (patchelf), so the binary finds its
  libpython wherever the slug is extracted, and the old prefix in sysconfig data to /app's;
- compiles the standard library to hash-based bytecode, valid whatever mtimes the slug gets.
"""
import os
import re
import shutil
import subprocess

import messages
from output import CompileFailure

SLUG_PREFIX = "/app/.heroku/python"
# Relative to lib/python3.X; folders a server never imports.
LEFT_OUT = ("test", "idlelib", "tkinter", "turtledemo", "lib2to3/tests", "unittest/test", "ctypes/test",
            "distutils/tests", "sqlite3/test", "ensurepip/_bundled")


def copy_prefix(machine, destination):
    """Copies only what a slug needs from a machine's prefix (never its site-packages)."""
    series = machine.series
    lib = os.path.join("lib", "python" + series)
    os.makedirs(os.path.join(destination, "bin"))
    shutil.copy2(machine.executable, os.path.join(destination, "bin", "python" + series))
    source_lib = os.path.join(machine.prefix, lib)
    shutil.copytree(source_lib, os.path.join(destination, lib), symlinks=True, ignore=_left_out_of(source_lib))
    os.makedirs(os.path.join(destination, lib, "site-packages"), exist_ok=True)
    for name in os.listdir(os.path.join(machine.prefix, "lib")):
        if name.startswith("libpython"):
            source = os.path.join(machine.prefix, "lib", name)
            shutil.copy2(source, os.path.join(destination, "lib", name), follow_symlinks=False)
    include = os.path.join(machine.prefix, "include")
    if os.path.isdir(include):
        for name in os.listdir(include):
            if name.startswith("python" + series):
                shutil.copytree(os.path.join(include, name), os.path.join(destination, "include", name), symlinks=True)


def _left_out_of(lib_root):
    """copytree's ignore: LEFT_OUT and the machine's own packages, bytecode and static libraries."""
    def decide(folder, names):
        relative = os.path.relpath(folder, lib_root)
        return {name for name in names
                if name == "__pycache__" or name.endswith(".a")
                or os.path.normpath(os.path.join(relative, name)) in LEFT_OUT + ("site-packages",)}
    return decide


def trim(root, series):
    """Removes from an unpacked archive what `copy_prefix` would not have copied."""
    lib = os.path.join(root, "lib", "python" + series)
    if not os.path.isfile(os.path.join(lib, "os.py")) or not os.path.isfile(os.path.join(root, "bin", "python" + series)):
        raise CompileFailure(*messages.archive_not_python(root))
    for name in os.listdir(os.path.join(root, "bin")):
        if name != "python" + series:
            _remove(os.path.join(root, "bin", name))
    for name in os.listdir(os.path.join(root, "lib")):
        if name != "python" + series and not name.startswith("libpython"):
            _remove(os.path.join(root, "lib", name))
    for name in os.listdir(root):
        if name not in ("bin", "lib", "include"):
            _remove(os.path.join(root, name))
    _remove(os.path.join(lib, "site-packages"))
    os.makedirs(os.path.join(lib, "site-packages"))
    for folder, dirs, files in os.walk(lib):
        for name in list(dirs):
            relative = os.path.relpath(os.path.join(folder, name), lib)
            if name == "__pycache__" or relative in LEFT_OUT:
                _remove(os.path.join(folder, name))
                dirs.remove(name)
        for name in files:
            if name.endswith(".a"):
                _remove(os.path.join(folder, name))


def take_pip_wheel(source_lib, destination_dir):
    """Moves pip's wheel from ensurepip/_bundled out of the tree; returns its new path or None."""
    bundled = os.path.join(source_lib, "ensurepip", "_bundled")
    wheels = sorted(name for name in os.listdir(bundled) if name.startswith("pip-") and name.endswith(".whl")) \
        if os.path.isdir(bundled) else []
    if not wheels:
        return None
    target = os.path.join(destination_dir, wheels[-1])
    shutil.copy2(os.path.join(bundled, wheels[-1]), target)
    return target


def finish(root, series, old_prefix, origin):
    """Links, symbols, RUNPATHs, sysconfig and bytecode of a copied or unpacked tree."""
    bin_dir = os.path.join(root, "bin")
    for name in ("python3", "python"):
        link = os.path.join(bin_dir, name)
        if not os.path.lexists(link):
            os.symlink("python" + series, link)
    elves = list(_elf_files(root))
    strip = shutil.which("strip")
    if strip:
        # Debug symbols are most of libpython's size (22 MB of 26 in a pyenv build); a server never reads them.
        for path in elves:
            subprocess.run([strip, "--strip-debug", path], capture_output=True)
    _relocate_runpaths(root, elves, origin)
    _rewrite_prefix(os.path.join(root, "lib", "python" + series), old_prefix)
    _not_executable(os.path.join(root, "lib", "python" + series))
    python = os.path.join(bin_dir, "python" + series)
    check = subprocess.run([python, "-E", "-s", "-c", "import sys, ssl, sqlite3, ctypes, zlib; print(sys.prefix)"],
                           capture_output=True, text=True, cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})
    if check.returncode != 0 or os.path.realpath(check.stdout.strip()) != os.path.realpath(root):
        reason = (check.stderr.strip().splitlines() or [check.stdout.strip() or f"exit status {check.returncode}"])[-1]
        raise CompileFailure(*messages.runtime_broken(series, origin, reason))
    lib = os.path.join(root, "lib", "python" + series)
    subprocess.run([python, "-E", "-s", "-S", "-m", "compileall", "-f", "-q", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    "-d", f"{SLUG_PREFIX}/lib/python{series}", lib], capture_output=True, cwd="/")


def _elf_files(root):
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if os.path.islink(path) or not (name.startswith("python") or ".so" in name):
                continue
            try:
                with open(path, "rb") as handle:
                    if handle.read(4) == b"\x7fELF":
                        yield path
            except OSError:
                continue


def _relocate_runpaths(root, elves, origin):
    """Every absolute RUNPATH/RPATH entry becomes `$ORIGIN/<path to lib>`; without patchelf, an
    absolute entry is an error (it would point at the build machine)."""
    patchelf = shutil.which("patchelf")
    lib = os.path.join(root, "lib")
    for path in elves:
        if patchelf is None:
            if _has_absolute_runpath(path):
                raise CompileFailure(*messages.patchelf_missing(origin))
            continue
        current = subprocess.run([patchelf, "--print-rpath", path], capture_output=True, text=True)
        entries = [entry for entry in current.stdout.strip().split(":") if entry]
        if current.returncode != 0 or not any(entry.startswith("/") for entry in entries):
            continue
        relative = "$ORIGIN/" + os.path.relpath(lib, os.path.dirname(path))
        kept = [entry for entry in entries if not entry.startswith("/")]
        fixed = ":".join(dict.fromkeys([relative] + kept))
        subprocess.run([patchelf, "--set-rpath", fixed, path], check=True, capture_output=True)


def _has_absolute_runpath(path):
    """Without patchelf: does the dynamic string table hold an absolute path ending in /lib? A cheap
    stand-in that errs towards asking for patchelf."""
    with open(path, "rb") as handle:
        data = handle.read()
    return re.search(rb"\x00/[^\x00]*/lib\x00", data) is not None


def _rewrite_prefix(lib, old_prefix):
    """sysconfig's recorded prefix (and the Makefile's) become the slug's, so nothing names the machine it came from."""
    if not old_prefix or old_prefix == SLUG_PREFIX:
        return
    pattern = re.compile(re.escape(old_prefix) + r"(?=[/'\" :]|$)", re.MULTILINE)
    candidates = [os.path.join(lib, name) for name in os.listdir(lib) if name.startswith("_sysconfigdata")]
    for name in os.listdir(lib):
        if name.startswith("config-"):
            candidates += [os.path.join(lib, name, entry) for entry in ("Makefile", "python-config.py")]
    for path in candidates:
        if not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            text = handle.read()
        fixed = pattern.sub(SLUG_PREFIX, text)
        if fixed != text:
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as handle:
                handle.write(fixed)


def _not_executable(lib):
    """Standard library modules are imported, never run as programs; a few (cgi.py) keep an
    executable bit and a `#! /usr/local/bin/python` that no dyno has, which slugc would rightly flag."""
    for folder, _, files in os.walk(lib):
        for name in files:
            path = os.path.join(folder, name)
            if name.endswith(".py") and not os.path.islink(path):
                mode = os.stat(path).st_mode
                if mode & 0o111:
                    os.chmod(path, mode & ~0o111)


def recorded_prefix(lib):
    """The prefix an installation was configured with, from its sysconfig data (None if unknown)."""
    for name in sorted(os.listdir(lib)):
        if name.startswith("_sysconfigdata") and name.endswith(".py"):
            with open(os.path.join(lib, name), encoding="utf-8", errors="replace") as handle:
                match = re.search(r"'prefix': '([^']*)'", handle.read())
            if match:
                return match.group(1)
    return None


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)
