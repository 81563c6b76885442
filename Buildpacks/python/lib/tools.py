"""uv, Poetry and Pipenv, installed by the buildpack at the versions it pins into the build cache
(never into the slug) and reused by later builds.

Each tool gets a virtual environment at CACHE_DIR/python/tools/<name>-<version>/, made from the
cached interpreter the app uses (so it never depends on the build machine's python3) and filled
by that interpreter's pip wheel: `pip install <name>==<version>` with the app's PIP_* config vars,
so PIP_INDEX_URL, PIP_FIND_LINKS and PIP_NO_INDEX choose where the tool comes from. It is
installed in place (console scripts record their folder), and tool.json, written last, marks it
complete and records which interpreter it was made from: a folder without it (an interrupted
install) or made from another interpreter (a new Python, a moved cache) is installed again.
"""
import json
import os
import shutil
import subprocess

import messages
import requirements
from output import CompileFailure, detail, step

# Heroku's Python buildpack pins its tools too; these are the versions this buildpack was tested with.
PINNED = {"uv": "0.13.9", "poetry": "2.5.1", "pipenv": "2026.10.3"}
TITLES = {"uv": "uv", "poetry": "Poetry", "pipenv": "Pipenv"}


def folder(cache, name):
    return os.path.join(cache.root, "tools", f"{name}-{PINNED[name]}")


def _made_from(path):
    try:
        with open(os.path.join(path, "tool.json"), encoding="utf-8") as handle:
            return json.load(handle).get("python")
    except (OSError, ValueError, AttributeError):
        return None


def ensure(cache, runtime_key, name, env, stream):
    """The path of the tool's executable, installing the pinned version first when the cache
    has no working copy for this interpreter. `stream(command, cwd, env)` runs pip."""
    version, title = PINNED[name], TITLES[name]
    python = os.path.join(cache.tree(runtime_key), "bin", "python3")
    target = folder(cache, name)
    executable = os.path.join(target, "bin", name)
    if _made_from(target) == python and os.access(executable, os.X_OK):
        step(f"Using {title} {version} from the build cache")
        return executable
    step(f"Installing {title} {version} into the build cache")
    _prune(os.path.dirname(target), keep=os.path.basename(target), name=name)
    staging = target
    shutil.rmtree(staging, ignore_errors=True)
    try:
        created = subprocess.run([python, "-E", "-s", "-m", "venv", "--without-pip", staging],
                                 capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if created.returncode != 0:
            said = (created.stderr or created.stdout).strip().splitlines()[-1:] or ["(no output)"]
            raise CompileFailure(*messages.tool_install_failed(title, version, created.returncode, said))
        wheel = cache.pip_wheel(runtime_key)
        pip = [os.path.join(staging, "bin", "python"), os.path.join(wheel, "pip")] if wheel else None
        if pip is None:
            raise CompileFailure(*messages.tool_install_failed(title, version, None, ["the interpreter came without pip's wheel"]))
        status, output = stream(pip + ["install", "-q", f"{name}=={version}", "--progress-bar", "off", "--no-warn-script-location"],
                                "/", env)
        if status != 0:
            raise CompileFailure(*messages.tool_install_failed(title, version, status, requirements.pip_error(output)))
        with open(os.path.join(staging, "tool.json.new"), "w", encoding="utf-8") as handle:
            json.dump({"name": name, "version": version, "python": python}, handle)
        os.replace(os.path.join(staging, "tool.json.new"), os.path.join(staging, "tool.json"))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    detail(f"Installed {title} {version}.")
    return executable


def _prune(tools_dir, keep, name):
    """Older pinned versions of the same tool go: the cache must not grow with every buildpack upgrade."""
    if not os.path.isdir(tools_dir):
        os.makedirs(tools_dir)
        return
    for entry in os.listdir(tools_dir):
        if entry.startswith(name + "-") and entry != keep:
            shutil.rmtree(os.path.join(tools_dir, entry), ignore_errors=True)
