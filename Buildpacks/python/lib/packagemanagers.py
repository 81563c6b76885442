"""Which package manager installs the app's dependencies: the one whose lock file is at the
app's root (Heroku's rule). Exactly one of requirements.txt (pip), Pipfile.lock (Pipenv),
poetry.lock (Poetry) or uv.lock (uv) must be there; a manifest without its lock is an error
saying how to make the lock.
"""
import os
import re

import apptree
import messages
from output import CompileFailure


class Manager:
    def __init__(self, name, title, lock, manifest):
        self.name = name          # "pip", "pipenv", "poetry", "uv": the tool's command
        self.title = title        # how messages name it: "pip", "Pipenv", "Poetry", "uv"
        self.lock = lock          # the file that chooses it
        self.manifest = manifest  # the file the lock is made from (None for pip)


# In Heroku's order, which is also the order its "several were found" message lists them.
MANAGERS = (
    Manager("pip", "pip", "requirements.txt", None),
    Manager("pipenv", "Pipenv", "Pipfile.lock", "Pipfile"),
    Manager("poetry", "Poetry", "poetry.lock", "pyproject.toml"),
    Manager("uv", "uv", "uv.lock", "pyproject.toml"),
)
BY_NAME = {manager.name: manager for manager in MANAGERS}


def choose(build):
    """The app's Manager, or a CompileFailure saying what is missing or one too many."""
    found = [manager for manager in MANAGERS if os.path.isfile(os.path.join(build, manager.lock))]
    if len(found) > 1:
        raise CompileFailure(*messages.several_package_managers([(m.lock, m.title) for m in found]))
    if found:
        return found[0]
    if os.path.isfile(os.path.join(build, "Pipfile")):
        raise CompileFailure(*messages.lock_missing("Pipfile", "Pipfile.lock", "Pipenv", "pipenv lock"))
    tables = pyproject_tool_tables(build)
    if "poetry" in tables:
        raise CompileFailure(*messages.lock_missing("pyproject.toml", "poetry.lock", "Poetry", "poetry lock", "[tool.poetry]"))
    if "uv" in tables:
        raise CompileFailure(*messages.lock_missing("pyproject.toml", "uv.lock", "uv", "uv lock", "[tool.uv]"))
    raise CompileFailure(*messages.no_package_manager(apptree.markers_present(build), apptree.listing(build)))


def pyproject_tool_tables(build):
    """The names X of the `[tool.X]` tables (and `[tool.X.…]` subtables) pyproject.toml has."""
    path = os.path.join(build, "pyproject.toml")
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return set()
    return set(re.findall(r"^\s*\[\[?\s*tool\.([A-Za-z0-9_-]+)", text, flags=re.MULTILINE))


def key_inputs(build, manager):
    """The files whose content decides what a lock-file manager installs."""
    return [name for name in (manager.lock, manager.manifest) if name and os.path.isfile(os.path.join(build, name))]
