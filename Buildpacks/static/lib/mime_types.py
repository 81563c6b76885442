"""The content types the site is served with: .static/mime.types and the text types.

A fixed table of web types first, then Python's built-in table (never the build machine's
/etc/mime.types, so every machine writes the same file), as the static server did before
nginx. Text types get the "charset" of static.json's "encoding"; text and other compressible
types are gzipped.
"""
import mimetypes
import re

WEB_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".map": "application/json",
    ".svg": "image/svg+xml", ".wasm": "application/wasm", ".txt": "text/plain", ".md": "text/markdown",
    ".xml": "application/xml", ".webmanifest": "application/manifest+json", ".ico": "image/x-icon",
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".woff": "font/woff", ".woff2": "font/woff2",
    ".ttf": "font/ttf", ".otf": "font/otf", ".pdf": "application/pdf", ".mp4": "video/mp4",
    ".webm": "video/webm", ".mp3": "audio/mpeg", ".gz": "application/gzip", ".zip": "application/zip",
}
# Compressible besides text/*: what browsers fetch as code, data or vector images.
COMPRESSIBLE = ("application/javascript", "application/json", "application/manifest+json", "application/xml",
                "application/wasm", "application/rss+xml", "application/atom+xml", "application/ld+json",
                "image/svg+xml", "image/x-icon", "font/ttf", "font/otf", "application/vnd.ms-fontobject")
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$")
_EXTENSION = re.compile(r"^[A-Za-z0-9_+-]+$")


def table():
    """extension (without the dot, lower case) -> type."""
    built_in = mimetypes.MimeTypes(filenames=())
    merged = {}
    for types_map in (built_in.types_map[0], built_in.types_map[1], WEB_TYPES):  # later wins
        for extension, kind in types_map.items():
            name = extension.lstrip(".").lower()
            if _EXTENSION.match(name) and _TOKEN.match(kind):
                merged[name] = kind
    return merged


def nginx_types(types):
    """The `types { … }` block nginx reads from .static/mime.types."""
    by_type = {}
    for extension, kind in types.items():
        by_type.setdefault(kind, []).append(extension)
    lines = ["# Written by slugc's static buildpack: web types, then Python's built-in table.", "types {"]
    for kind in sorted(by_type):
        lines.append("    %s %s;" % (kind, " ".join(sorted(by_type[kind]))))
    lines.append("}")
    return "\n".join(lines) + "\n"


def text_types(types):
    return sorted({kind for kind in types.values() if kind.startswith("text/")})


def compressible_types(types):
    # text/html is always compressed by nginx; naming it again is a warning.
    return [kind for kind in text_types(types) if kind != "text/html"] + list(COMPRESSIBLE)
