"""Which Python the app asks for, and which interpreter of the stack provides it.

The stack's interpreters are the `python3.X` commands on PATH that actually run (a pyenv
shim for a version that is not enabled fails, and so is not available). Nothing is
downloaded: a version the stack lacks is an error naming what it has.
"""
import os
import re
import subprocess

from output import CompileFailure

VERSION_PATTERN = re.compile(r"^(?:python-)?(3\.\d+(?:\.\d+)?)$")
PROBE = "import platform, sys; print(platform.python_version()); print(sys.executable)"


class Interpreter:
    def __init__(self, version, executable):
        self.version = version          # "3.11.7"
        self.executable = executable    # the real binary, never a shim

    @property
    def minor(self):
        return ".".join(self.version.split(".")[:2])

    def satisfies(self, requested):
        return self.version == requested if requested.count(".") == 2 else self.minor == requested


class VersionRequest:
    def __init__(self, version, source):
        self.version = version  # "3.11" or "3.11.7"
        self.source = source    # ".python-version" or "runtime.txt"


def _first_line(path, name):
    try:
        with open(path, "rb") as handle:
            data = handle.read(4096)
    except OSError as problem:
        raise CompileFailure(f"{name} cannot be read: {problem.strerror}.",
                             f"Make {name} a readable text file containing a Python version such as 3.11.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CompileFailure(f"{name} is not a text file (it is not valid UTF-8).",
                             f"Make {name} a text file containing a Python version such as 3.11.")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return None


def read_request(build_dir):
    """`.python-version` wins over the older `runtime.txt`; None when neither asks."""
    examples = {".python-version": "3.11 or 3.11.7", "runtime.txt": "python-3.11.7 or 3.11"}
    for name in (".python-version", "runtime.txt"):
        path = os.path.join(build_dir, name)
        if not os.path.lexists(path):
            continue
        if os.path.isdir(path):
            raise CompileFailure(f"{name} is a folder; it must be a file containing a Python version such as {examples[name]}.")
        line = _first_line(path, name)
        if line is None:
            raise CompileFailure(f"{name} is empty.",
                                 f"Write the Python version the app needs into it, such as {examples[name]}, or delete it to use the stack's default python3.")
        match = VERSION_PATTERN.match(line)
        if not match:
            raise CompileFailure(f"{name} asks for '{line}', which is not a Python version this buildpack understands.",
                                 f"Write it as {examples[name]}.")
        return VersionRequest(match.group(1), name)
    return None


def _probe(command):
    try:
        result = subprocess.run([command, "-E", "-s", "-c", PROBE], capture_output=True, text=True,
                                timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2:
        return None
    return Interpreter(lines[0], os.path.realpath(lines[1]))


def _candidates(path_variable, only_minor=None):
    """`python3.X` commands on PATH, in PATH order, each real file once."""
    pattern = re.compile(r"^python3\.\d+$")
    seen, names = set(), []
    for directory in path_variable.split(os.pathsep):
        try:
            entries = sorted(os.listdir(directory or "."), key=lambda n: [-int(p) for p in n[6:].split(".") if p.isdigit()])
        except OSError:
            continue
        for entry in entries:
            if not pattern.match(entry) or (only_minor and entry != "python" + only_minor):
                continue
            full = os.path.join(directory, entry)
            real = os.path.realpath(full)
            if real in seen or not os.access(full, os.X_OK):
                continue
            seen.add(real)
            names.append(full)
    return names


def available(path_variable, only_minor=None):
    """The stack's interpreters, newest minor first within each PATH folder, each binary once."""
    found, seen = [], set()
    for command in _candidates(path_variable, only_minor):
        interpreter = _probe(command)
        if interpreter and interpreter.executable not in seen:
            seen.add(interpreter.executable)
            found.append(interpreter)
    return found


def select(request, path_variable):
    """The interpreter for `request` (None: the stack's `python3`), or a CompileFailure."""
    if request is None:
        interpreter = _probe("python3")
        if interpreter is None:
            raise CompileFailure("The stack's python3 does not run; the Python buildpack needs a working python3 on PATH.")
        return interpreter
    minor = ".".join(request.version.split(".")[:2])
    for interpreter in available(path_variable, only_minor=minor):
        if interpreter.satisfies(request.version):
            return interpreter
    everything = available(path_variable)
    listed = ", ".join(sorted({i.version for i in everything}, key=_version_key, reverse=True)) or "none"
    raise CompileFailure(
        f"Python {request.version} is not available on this stack ({request.source} asks for it).",
        f"Available Python versions: {listed}.",
        f"Change {request.source} to one of these versions, or use a stack that has Python {request.version}.")


def _version_key(version):
    return [int(part) for part in version.split(".")]
