"""Installing a locked app with uv, Poetry or Pipenv into the slug's own interpreter.

None of them makes a virtual environment: uv syncs into `.heroku/python` as its project
environment (UV_PROJECT_ENVIRONMENT), Poetry is pointed at it as the active environment
(VIRTUAL_ENV), and Pipenv installs into the first `python` on PATH (PIPENV_SYSTEM), which is the
slug's. Each tool's caches live in the build cache unless the app's config vars say otherwise.
"""
import os

import messages
from output import CompileFailure, step

# What the user reads as the install command; the tool gets these arguments and no others.
COMMANDS = {
    "uv": ["sync", "--locked", "--no-dev"],
    "poetry": ["sync", "--only", "main", "--no-interaction"],
    "pipenv": ["install", "--deploy"],
}
# The config vars that reach each tool (and so are part of the cache key).
CONFIG_PREFIXES = {"pip": ("PIP_",), "uv": ("UV_",), "poetry": ("POETRY_",), "pipenv": ("PIPENV_", "PIP_")}


def environment(manager, prefix, cache, base_env, config):
    """The environment the tool runs in: the build's, the app's config vars, and the settings
    that make it install into `prefix` without asking anything."""
    env = dict(base_env)
    bin_dir = os.path.join(prefix, "bin")
    env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
    if manager.name == "uv":
        # uv's default link mode stays (hard links from its cache, a copy across file systems):
        # nothing changes an installed file in place (relocate.py replaces files it rewrites).
        env.update(UV_PROJECT_ENVIRONMENT=prefix, UV_PYTHON=os.path.join(bin_dir, "python"), UV_PYTHON_DOWNLOADS="never",
                   UV_NO_PROGRESS="1")
        env.setdefault("UV_CACHE_DIR", os.path.join(cache.root, "uv-cache"))
    elif manager.name == "poetry":
        env.update(VIRTUAL_ENV=prefix, POETRY_VIRTUALENVS_CREATE="false", POETRY_NO_INTERACTION="1")
        env.setdefault("POETRY_CACHE_DIR", os.path.join(cache.root, "poetry-cache"))
    elif manager.name == "pipenv":
        env.update(PIPENV_SYSTEM="1", PIPENV_VERBOSITY="-1", PIPENV_NOSPIN="1", PIPENV_YES="1", PIPENV_IGNORE_VIRTUALENVS="1")
        env.setdefault("PIPENV_CACHE_DIR", os.path.join(cache.root, "pipenv-cache"))
        env.setdefault("PIP_CACHE_DIR", cache.pip)
    return env


def install(manager, tool, build, env, stream):
    command = COMMANDS[manager.name]
    step(f"Installing dependencies with '{manager.name} {' '.join(command)}'")
    status, output = stream([tool] + command, build, env)
    if status != 0:
        said = [line for line in output if line.strip()]
        # uv and Poetry end with their error (uv's `error:` then `hint:`); what came before is progress.
        first = next((i for i, line in enumerate(said) if line.startswith(("error:", "Error:"))), None)
        said = (said[first:] if first is not None else said)[-12:] or ["(no output)"]
        raise CompileFailure(*messages.lock_install_failed(manager, " ".join(command), status, said))
