"""A runtime index: JSON listing relocatable CPython archives, and downloading one of them.

    {"versions": [{"version": "3.12.7", "url": "...", "sha256": "...", "platform": "linux-x86_64-gnu"}]}

Archives use python-build-standalone's `install_only` layout (`python/bin/python3`,
`python/lib/...`). `platform` is optional (an entry without one fits every machine); a
relative `url` is resolved against the index's own location, so a mirror can be a folder.
The buildpack ships `runtime-index.json`; the config var PYTHON_RUNTIME_INDEX (a URL, a
file:// URL or a path, relative paths from the app's root) replaces it, and an empty value
or `none` turns the index off.
"""
import hashlib
import json
import os
import platform
import re
import socket
import tarfile
import urllib.parse

import messages
from output import CompileFailure

BUILDPACK_INDEX = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "runtime-index.json")
# An unreachable index or mirror must cost seconds, not minutes, before the next source is tried.
CONNECT_TIMEOUT = 5
CHUNK = 1 << 20


class Unavailable(Exception):
    """The index or an archive cannot be fetched now (network, HTTP status, missing file)."""


class IndexEntry:
    def __init__(self, version, url, sha256):
        self.version = version
        self.url = url
        self.sha256 = sha256.lower()


class RuntimeIndex:
    def __init__(self, location, label, entries):
        self.location = location  # the URL the entries were read from
        self.label = label        # how messages name it
        self.entries = entries    # [IndexEntry], for this machine only


def machine_platform():
    machine = platform.machine().lower()
    return "linux-" + {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine) + "-gnu"


def location_from_config(config, build_dir):
    """(url, label) of the index to use, or None when PYTHON_RUNTIME_INDEX turns it off."""
    if "PYTHON_RUNTIME_INDEX" not in config:
        return "file://" + urllib.parse.quote(BUILDPACK_INDEX), "the buildpack's runtime index"
    value = config["PYTHON_RUNTIME_INDEX"].strip()
    if value in ("", "none"):
        return None
    if re.match(r"^(https?|file)://", value):
        return value, f"the runtime index {value}"
    path = os.path.normpath(os.path.join(build_dir, value))
    return "file://" + urllib.parse.quote(path), f"the runtime index {value}"


def _open(url):
    if url.startswith("file://"):
        # The buildpack's own index is a local file: read without urllib.request, whose import
        # (http.client, email, ssl) costs a no-change rebuild a fifth of a second.
        try:
            return open(urllib.parse.unquote(urllib.parse.urlsplit(url).path), "rb")
        except OSError as problem:
            raise Unavailable(problem.strerror or str(problem))
    # Bound under other names: `import urllib.request` here would make `urllib` local to the
    # whole function, and the file:// branch above would fail with UnboundLocalError.
    from urllib import error as url_error, request as url_request
    try:
        return url_request.urlopen(url, timeout=CONNECT_TIMEOUT)
    except url_error.HTTPError as problem:
        raise Unavailable(f"HTTP status {problem.code} {problem.reason}")
    except url_error.URLError as problem:
        reason = problem.reason
        raise Unavailable(reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason))
    except (OSError, socket.timeout, ValueError) as problem:
        raise Unavailable(str(problem) or type(problem).__name__)


def load(url, label):
    """The index's entries for this machine; Unavailable when it cannot be read, CompileFailure when it is not an index."""
    with _open(url) as response:
        try:
            data = response.read()
        except (OSError, socket.timeout) as problem:
            raise Unavailable(str(problem))
    try:
        document = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CompileFailure(*messages.index_not_json(label, "it is not UTF-8 text"))
    except json.JSONDecodeError as problem:
        raise CompileFailure(*messages.index_not_json(label, f"line {problem.lineno} column {problem.colno}: {problem.msg}"))
    versions = document.get("versions") if isinstance(document, dict) else None
    if not isinstance(versions, list):
        raise CompileFailure(*messages.index_not_json(label, 'it has no "versions" list'))
    here, entries = machine_platform(), []
    for number, item in enumerate(versions, start=1):
        if not (isinstance(item, dict) and isinstance(item.get("version"), str) and isinstance(item.get("url"), str)
                and isinstance(item.get("sha256"), str) and re.fullmatch(r"[0-9a-fA-F]{64}", item["sha256"])
                and re.fullmatch(r"3\.\d+\.\d+", item["version"])):
            raise CompileFailure(*messages.index_entry_invalid(label, number))
        if item.get("platform", here) != here:
            continue
        entries.append(IndexEntry(item["version"], urllib.parse.urljoin(url, item["url"]), item["sha256"]))
    return RuntimeIndex(url, label, entries)


def download(entry, scratch_dir):
    """Fetches `entry`'s archive into scratch_dir and checks its SHA-256; returns the file's path.

    A mismatch deletes the file and fails the build: a changed archive is never installed."""
    target = os.path.join(scratch_dir, "download.tar")
    digest = hashlib.sha256()
    try:
        with _open(entry.url) as response, open(target, "wb") as handle:
            while True:
                try:
                    chunk = response.read(CHUNK)
                except (OSError, socket.timeout) as problem:
                    raise Unavailable(str(problem) or type(problem).__name__)
                if not chunk:
                    break
                digest.update(chunk)
                handle.write(chunk)
    except Unavailable:
        _remove(target)
        raise
    actual = digest.hexdigest()
    if actual != entry.sha256:
        _remove(target)
        raise CompileFailure(*messages.checksum_mismatch(entry.url, entry.sha256, actual))
    return target


def extract(archive, destination):
    """Unpacks the archive's `python/` folder as `destination`; refuses entries that would leave it."""
    root = os.path.realpath(destination)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = []
            for member in tar.getmembers():
                name = os.path.normpath(member.name)
                if name in ("python", ".") or not name.startswith("python/"):
                    continue
                if member.isdev() or (not member.isfile() and not member.isdir() and not member.issym() and not member.islnk()):
                    continue
                relative = name[len("python/"):]
                target = os.path.realpath(os.path.join(root, relative))
                if not target.startswith(root + "/"):
                    raise CompileFailure(*messages.archive_unsafe(archive, member.name))
                if member.issym() or member.islnk():
                    pointed = member.linkname if member.islnk() else os.path.join(os.path.dirname(name), member.linkname)
                    pointed = os.path.normpath(pointed)
                    if os.path.isabs(member.linkname) or not pointed.startswith("python/"):
                        raise CompileFailure(*messages.archive_unsafe(archive, f"{member.name} -> {member.linkname}"))
                    if member.islnk():
                        member.linkname = pointed[len("python/"):]
                member.name = relative
                member.uid = member.gid = 0
                member.uname = member.gname = ""
                member.mode &= 0o755  # no setuid bits, nothing writable by others
                members.append(member)
            if not members:
                raise CompileFailure(*messages.archive_not_python(archive))
            os.makedirs(root, exist_ok=True)
            # Our own checks above apply on every Python; the data filter (3.12+, some 3.11) adds its own.
            options = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tar.extractall(root, members=members, numeric_owner=True, **options)
    except (tarfile.TarError, EOFError, OSError, ValueError) as problem:
        raise CompileFailure(*messages.archive_unreadable(archive, str(problem)))


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass
