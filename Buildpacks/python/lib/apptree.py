"""What the app's root folder holds, as the Python buildpack's checks and messages need it:
which Python markers made it a Python app, its listing, folders that must not be committed,
text files saved in an encoding other tools misread, and the metadata folders an install of the
app's own package writes into it.
"""
import os

# Heroku's Python buildpack's detection list (as buildpack.yml's `detect`), in its order.
PYTHON_MARKERS = (".python-version", "__init__.py", "app.py", "main.py", "manage.py", "pdm.lock", "Pipfile",
                  "Pipfile.lock", "poetry.lock", "pyproject.toml", "requirements.txt", "runtime.txt", "server.py",
                  "setup.cfg", "setup.py", "uv.lock", "requeriments.txt", "requirement.txt", "requirements",
                  "requirements.text", "Requirements.txt", "requirements.txt.txt", "requirments.txt",
                  "__pycache__", ".venv", "venv")
# Folders holding an installed environment: never part of an app's source.
ENVIRONMENTS = (".heroku/python", ".venv", "venv")
LISTING_LIMIT = 40
# The files this buildpack and the package managers read from the app root. A symlink among them
# that leads out of the app would have the build read the build machine's files instead.
READ_FILES = (".python-version", "runtime.txt", "requirements.txt", "Pipfile", "Pipfile.lock", "poetry.lock",
              "pyproject.toml", "uv.lock")


def markers_present(build):
    """The detection markers the app has, folders shown with a trailing slash."""
    found = []
    for name in PYTHON_MARKERS:
        path = os.path.join(build, name)
        if os.path.isdir(path):
            found.append(name + "/")
        elif os.path.exists(path):
            found.append(name)
    return found


def listing(build):
    """`ls -1A --indicator-style=slash` of the app root, as Heroku prints it, at most LISTING_LIMIT lines."""
    names = sorted(os.listdir(build), key=lambda n: (n.lower(), n))
    shown = [name + "/" if os.path.isdir(os.path.join(build, name)) else name for name in names[:LISTING_LIMIT]]
    if len(names) > LISTING_LIMIT:
        shown.append(f"... and {len(names) - LISTING_LIMIT} more")
    return shown


def link_out_of_app(build):
    """The first of READ_FILES that is a symlink leading outside the app, as (name, target), or None."""
    root = os.path.realpath(build)
    for name in READ_FILES:
        path = os.path.join(build, name)
        if not os.path.islink(path):
            continue
        real = os.path.realpath(path)
        if real != root and not real.startswith(root + os.sep):
            return name, os.readlink(path)
    return None


def committed_environment(build):
    """The first folder that is an installed Python environment (`venv/` with its pyvenv.cfg, a
    `.heroku/python` with a bin/python), or None."""
    for name in ENVIRONMENTS:
        path = os.path.join(build, name)
        if name == ".heroku/python" and os.path.isdir(path):
            return name
        if os.path.isfile(os.path.join(path, "pyvenv.cfg")):
            return name
    return None


def encoding_of(path):
    """"utf-16" or "utf-8-bom" for a file starting with that byte-order mark, else None."""
    try:
        with open(path, "rb") as handle:
            start = handle.read(3)
    except OSError:
        return None
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    if start == b"\xef\xbb\xbf":
        return "utf-8-bom"
    return None


def egg_info_folders(build):
    """Relative paths of the `*.egg-info` folders in the app (outside `.heroku` and `.git`).
    setuptools writes one beside the app's package when pip or uv installs it (`-e .`, `.`):
    a rebuild that reuses the installed packages runs no installer, so the buildpack keeps them
    in the cache with the packages, and the slug is the same as the cold build's. A legacy
    editable install (`.egg-link`) reads its metadata from there at run time."""
    found = []
    for folder, names, _ in os.walk(build):
        if folder == build:
            names[:] = [name for name in names if name not in (".heroku", ".git")]
        for name in sorted(names):
            if name.endswith(".egg-info"):
                found.append(os.path.relpath(os.path.join(folder, name), build))
        names[:] = sorted(name for name in names if not name.endswith(".egg-info"))
    return found
