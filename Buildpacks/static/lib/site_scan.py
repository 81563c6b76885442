"""What compile learns from the site's files: symlinks nginx must not follow, and the site's version.

A slug never changes once built, so the symlinks that leave the site root (or lead to a hidden
file, or to static.json and friends when the root is the app folder) are found here once and
nginx_config turns them into 404s. nginx's own `disable_symlinks if_not_owner` stays on as a
second guard, but it lets a link through when the link and its target have the same owner, as
every file has when the slug is unpacked by root.

The site's version is a hash of every servable file and of static.json. It is the ETag of every
file response: slugs are reproducible, so every file has the same fixed mtime, and nginx's own
ETag (mtime and size) would survive a deploy that changed a file but not its size.
"""
import hashlib
import os

from static_config import inside

# Files at the app folder's top level that configure the build, never part of the site when
# the site root is the app folder itself.
BUILD_FILES = ("static.json", "Procfile", "app.json")
# Bump when what nginx sends for the same files changes, so browsers revalidate once.
FORMAT = b"slugc-static-nginx-1"


class SiteScan:
    def __init__(self):
        self.blocked = []       # request paths ("/passwd", "/etc") that must answer 404, sorted
        self.version = ""       # 32 hex digits


def _hidden(relative):
    return any(part.startswith(".") for part in relative.split(os.sep) if part not in ("", "."))


def _servable(relative, at_app_top):
    """Whether nginx may serve this path of the root; `at_app_top`: the root is the app folder
    and the path is at its top, where the build files are."""
    return not _hidden(relative) and not (at_app_top and relative in BUILD_FILES)


def scan(app_dir, root, static_json_text):
    """Walks the site root (never following links); `root` is relative to the app folder."""
    result = SiteScan()
    root_real = os.path.realpath(os.path.join(app_dir, root))
    root_is_app = root_real == os.path.realpath(app_dir)
    digest = hashlib.sha256(FORMAT + b"\0" + static_json_text.encode("utf-8") + b"\0")
    blocked, folder_links = set(), {}
    for folder, names, files in os.walk(root_real):
        names[:] = sorted(name for name in names if not name.startswith("."))  # never served: not walked
        relative_folder = os.path.relpath(folder, root_real)
        for name in sorted(names + files):
            path = os.path.join(folder, name)
            relative = os.path.normpath(os.path.join(relative_folder, name))
            if not _servable(relative, root_is_app and relative_folder == "."):
                continue
            if os.path.islink(path):
                target = os.readlink(path)
                digest.update(b"L" + os.fsencode(relative) + b"\0" + os.fsencode(target) + b"\0")
                resolved = os.path.realpath(path)
                inner = os.path.relpath(resolved, root_real)
                # An absolute target means another file on the run image than here: never trusted.
                if os.path.isabs(target) or not inside(resolved, root_real) or not _servable(inner, root_is_app and os.sep not in inner):
                    blocked.add(relative)
                elif os.path.isdir(resolved):
                    folder_links[relative] = inner
            elif name in files:
                digest.update(b"F" + os.fsencode(relative) + b"\0")
                try:
                    with open(path, "rb") as handle:
                        for chunk in iter(lambda: handle.read(1 << 20), b""):
                            digest.update(chunk)
                except OSError:
                    pass  # unreadable here means unreadable for nginx too
                digest.update(b"\0")
    # A link to a folder inside the root reaches that folder's bad links by a second path.
    for _ in range(8):
        added = {link + bad[len(inner):] for link, inner in folder_links.items()
                 for bad in blocked if bad.startswith(inner + os.sep)} - blocked
        if not added:
            break
        blocked |= added
    result.blocked = sorted("/" + path.replace(os.sep, "/") for path in blocked)
    result.version = digest.hexdigest()[:32]
    return result
