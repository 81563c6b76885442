"""Decides what a request for a static site gets: the routing rules of static.json.

Order, as heroku-buildpack-static: HTTPS redirect → files → clean URLs → redirects → custom
routes → 404. Kept apart from the HTTP plumbing in serve.py so the rules read top to bottom.
"""

import hashlib
import mimetypes
import os
import re
import threading
import urllib.parse

import static_config

# Python's built-in table only (no /etc/mime.types), so every machine answers alike; the
# entries below win over it where it is old or missing web types.
_BUILT_IN_TYPES = mimetypes.MimeTypes(filenames=())
_WEB_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".map": "application/json",
    ".svg": "image/svg+xml", ".wasm": "application/wasm", ".txt": "text/plain", ".md": "text/markdown",
    ".xml": "application/xml", ".webmanifest": "application/manifest+json", ".ico": "image/x-icon",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".woff": "font/woff", ".woff2": "font/woff2",
    ".ttf": "font/ttf", ".otf": "font/otf", ".pdf": "application/pdf", ".mp4": "video/mp4",
    ".webm": "video/webm", ".mp3": "audio/mpeg", ".gz": "application/gzip", ".zip": "application/zip",
}
# Files at the app folder's top level that configure the build, never part of the site when
# the site root is the app folder itself.
_BUILD_FILES = ("static.json", "Procfile", "app.json")
NOT_FOUND_BODY = b"<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n"


def content_type(path, encoding):
    extension = os.path.splitext(path)[1].lower()
    kind = _WEB_TYPES.get(extension) or _BUILT_IN_TYPES.types_map[1].get(extension) \
        or _BUILT_IN_TYPES.types_map[0].get(extension) or "application/octet-stream"
    if kind.startswith("text/"):
        kind += "; charset=" + encoding.lower()
    return kind


def glob_regex(pattern):
    """`*` matches within one path segment, `**` across segments; a trailing `/**` also
    matches the folder itself, so "/app/**" covers "/app" and "/app/x/y"."""
    parts = re.split(r"(/\*\*$|\*\*|\*|\?)", pattern)
    wildcard = {"/**": "(?:/.*)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("^" + "".join(wildcard.get(part, re.escape(part)) for part in parts) + "$", re.DOTALL)


class Response:
    """What to send: a status, headers, and a body that is either bytes or a file path."""

    def __init__(self, status, headers=None, body=b"", file=None, size=None):
        self.status = status
        self.headers = headers or []
        self.body = body
        self.file = file
        self.size = len(body) if file is None else size


class Site:
    """One static site: an app folder and its static.json settings."""

    def __init__(self, app_dir, config):
        self.config = config
        self.app_root = os.path.realpath(app_dir)
        self.root = os.path.realpath(os.path.join(app_dir, config.root))
        self.header_rules = [(glob_regex(pattern), fields) for pattern, fields in config.headers]
        self.route_rules = [(glob_regex(pattern), target) for pattern, target in config.routes]
        self._etags = {}
        self._etag_lock = threading.Lock()

    def answer(self, target, request_headers):
        """The Response for a GET or HEAD of the raw request-target `target`."""
        if target.startswith(("http://", "https://")):
            split = urllib.parse.urlsplit(target)
            target = (split.path or "/") + ("?" + split.query if split.query else "")
        raw_path, _, query = target.partition("?")
        response = self._route(target, raw_path, query, request_headers)
        path = self._decode(raw_path) or raw_path
        for regex, fields in self.header_rules:
            if regex.match(path):
                response.headers.extend(fields.items())
        return response

    def _route(self, target, raw_path, query, request_headers):
        if self.config.https_only and self._forwarded_proto(request_headers) == "http":
            host = request_headers.get("Host", "")
            if not re.match(r"^[A-Za-z0-9.\-]+(:[0-9]+)?$|^\[[0-9A-Fa-f:.]+\](:[0-9]+)?$", host):
                return Response(400, [("Content-Type", "text/plain; charset=utf-8")], b"Bad Request: missing or invalid Host header\n")
            return self._redirect(301, "https://" + host + target)
        path = self._decode(raw_path)
        if path is None:
            return self._not_found()
        segments = [segment for segment in path.split("/") if segment]
        # "..", "." and dot-files (.static/, .profile.d/, .env) never reach the file system.
        if any(segment.startswith(".") for segment in segments):
            return self._not_found()
        found = self._lookup(segments)
        if found and os.path.isdir(found):
            index = self._lookup(segments + ["index.html"])
            if index and os.path.isfile(index):
                if path.endswith("/"):
                    return self._file(index, 200)
                return self._redirect(301, raw_path + "/" + ("?" + query if query else ""))
        elif found:
            return self._file(found, 200)
        if self.config.clean_urls and segments and not path.endswith("/"):
            page = self._lookup(segments[:-1] + [segments[-1] + ".html"])
            if page and os.path.isfile(page):
                return self._file(page, 200)
        if path in self.config.redirects:
            url, status = self.config.redirects[path]
            return self._redirect(status, re.sub(r"\$\{(\w+)\}", lambda m: os.environ.get(m.group(1), ""), url))
        for regex, route_target in self.route_rules:
            if regex.match(path):
                page = self._lookup([s for s in route_target.split("/") if s])
                if page and os.path.isfile(page):
                    return self._file(page, 200)
        return self._not_found()

    @staticmethod
    def _forwarded_proto(request_headers):
        return request_headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()

    @staticmethod
    def _decode(raw_path):
        """The percent-decoded path, or None when it is not a clean absolute UTF-8 path."""
        try:
            path = urllib.parse.unquote_to_bytes(raw_path).decode("utf-8")
        except UnicodeDecodeError:
            return None
        if not path.startswith("/") or "\x00" in path:
            return None
        return path

    def _lookup(self, segments):
        """The real path of `segments` under the root, or None when it does not exist, leaves
        the root (a symlink pointing outside), or lands on a dot-file or a build file."""
        real = os.path.realpath(os.path.join(self.root, *segments))
        if not os.path.exists(real):
            return None
        if real != self.root and not real.startswith(self.root + os.sep):
            return None
        if any(part.startswith(".") for part in os.path.relpath(real, self.root).split(os.sep) if part != "."):
            return None
        inside_app = os.path.relpath(real, self.app_root).split(os.sep)
        if len(inside_app) == 1 and inside_app[0] in _BUILD_FILES:
            return None
        return real

    def _file(self, real, status):
        try:
            info = os.stat(real)
        except OSError:
            return self._not_found()
        headers = [("Content-Type", content_type(real, self.config.encoding))]
        if status == 200:
            headers.append(("ETag", self._etag(real, info)))
        return Response(status, headers, file=real, size=info.st_size)

    def _etag(self, real, info):
        """A hash of the content: slugs are reproducible, so every file's mtime is the same
        fixed epoch and an mtime-based tag would survive a deploy that changed the file."""
        key = (real, info.st_ino, info.st_size, info.st_mtime_ns)
        with self._etag_lock:
            tag = self._etags.get(key)
        if tag is None:
            digest = hashlib.sha256()
            with open(real, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
            tag = '"%s"' % digest.hexdigest()[:32]
            with self._etag_lock:
                self._etags[key] = tag
        return tag

    def _redirect(self, status, location):
        body = b"Redirecting\n"
        return Response(status, [("Location", location), ("Content-Type", "text/plain; charset=utf-8")], body)

    def _not_found(self):
        if self.config.error_page:
            page = self._lookup([s for s in self.config.error_page.split("/") if s])
            if page and os.path.isfile(page):
                return self._file(page, 404)
        return Response(404, [("Content-Type", "text/html; charset=utf-8")], NOT_FOUND_BODY)
