"""Which Python the app asks for: `.python-version`, else the deprecated `runtime.txt`, else
Pipfile.lock's `python_full_version`, then its `python_version` (Heroku's order).

Versions are strings ("3.11", "3.11.7"); `version_key` orders them. Which interpreter then
provides the version is `resolution.py`'s job.
"""
import json
import os
import re

import messages
from output import CompileFailure

VERSION_PATTERN = re.compile(r"^(?:python-)?(3\.\d+(?:\.\d+)?)$")
# Series whose support ended (python.org's end-of-life dates); the build warns but goes on.
END_OF_LIFE = {"3.0", "3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7", "3.8", "3.9"}
EXAMPLES = {".python-version": "3.11 or 3.11.7", "runtime.txt": "python-3.11.7 or 3.11",
            "Pipfile.lock": '"python_version": "3.11" or "python_full_version": "3.11.7" (Pipfile\'s [requires], then `pipenv lock`)'}


class VersionRequest:
    def __init__(self, version, source):
        self.version = version  # "3.11" or "3.11.7"
        self.source = source    # ".python-version", "runtime.txt" or "the last build"

    @property
    def series(self):
        return series(self.version)

    @property
    def exact(self):
        return self.version.count(".") == 2


def series(version):
    """"3.11.7" -> "3.11"."""
    return ".".join(version.split(".")[:2])


def version_key(version):
    return [int(part) for part in version.split(".")]


def is_final_release(version):
    """True for "3.12.7"; False for "3.13.0rc1" and the like (defaults never pick those)."""
    return re.fullmatch(r"3\.\d+\.\d+", version) is not None


def _first_line(path, name):
    try:
        with open(path, "rb") as handle:
            data = handle.read(4096)
    except OSError as problem:
        raise CompileFailure(*messages.version_file_unreadable(name, problem.strerror))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CompileFailure(*messages.version_file_not_text(name))
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line
    return None


def read_request(build_dir):
    """`.python-version` wins over the older `runtime.txt`; None when neither asks."""
    for name in (".python-version", "runtime.txt"):
        path = os.path.join(build_dir, name)
        if not os.path.lexists(path):
            continue
        if os.path.isdir(path):
            raise CompileFailure(*messages.version_file_is_folder(name, EXAMPLES[name]))
        line = _first_line(path, name)
        if line is None:
            raise CompileFailure(*messages.version_file_empty(name, EXAMPLES[name]))
        match = VERSION_PATTERN.match(line)
        if not match:
            raise CompileFailure(*messages.version_not_understood(name, line, EXAMPLES[name]))
        return VersionRequest(match.group(1), name)
    return pipfile_lock_request(build_dir)


def pipfile_lock_request(build_dir):
    """The Python a Pipfile.lock was locked for (`_meta.requires`), or None."""
    path = os.path.join(build_dir, "Pipfile.lock")
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8-sig") as handle:
            lock = json.load(handle)
    except (OSError, ValueError) as problem:
        raise CompileFailure(*messages.pipfile_lock_unreadable(getattr(problem, "msg", None) or str(problem)))
    requires = lock.get("_meta", {}).get("requires", {}) if isinstance(lock, dict) else {}
    requires = requires if isinstance(requires, dict) else {}
    for key in ("python_full_version", "python_version"):
        value = requires.get(key)
        if value is None:
            continue
        match = VERSION_PATTERN.match(str(value).strip())
        if not match or str(value).startswith("python-"):
            raise CompileFailure(*messages.version_not_understood("Pipfile.lock", f"{key} {value}", EXAMPLES["Pipfile.lock"]))
        return VersionRequest(match.group(1), "Pipfile.lock")
    return None
