"""bin/compile BUILD_DIR CACHE_DIR ENV_DIR for the Python buildpack.

Installs requirements.txt with pip into a virtual environment at BUILD_DIR/.heroku/python,
made with one of the stack's interpreters and rewritten to run from any directory.
"""
import os
import subprocess
import sys

import buildcache
import pythonversion
import relocate
import requirements
from output import CompileFailure, detail, error, show_failure, step

# Config vars that would break the build itself if exported (Heroku's list, plus Python's own).
NOT_EXPORTED = {"PATH", "GIT_DIR", "CPATH", "CPPATH", "LD_PRELOAD", "LIBRARY_PATH", "PYTHONHOME", "PYTHONPATH"}
MARKERS = ("setup.py", "pyproject.toml", "Pipfile", "runtime.txt", ".python-version")
PROFILE = """\
# Written by slugc's Python buildpack: the packages installed at build time, found from $HOME
# so the app runs wherever the slug is extracted.
export PATH="$HOME/.heroku/python/bin:$PATH"
export PYTHONUNBUFFERED="${PYTHONUNBUFFERED:-1}"
export LANG="${LANG:-C.UTF-8}"
"""


def read_env_dir(env_dir):
    config = {}
    if env_dir and os.path.isdir(env_dir):
        for name in sorted(os.listdir(env_dir)):
            path = os.path.join(env_dir, name)
            if os.path.isfile(path) and name not in NOT_EXPORTED:
                with open(path, encoding="utf-8", errors="replace") as handle:
                    config[name] = handle.read().rstrip("\n")
    return config


def require_requirements_txt(build):
    if os.path.isfile(os.path.join(build, "requirements.txt")):
        return
    found = [name for name in MARKERS if os.path.exists(os.path.join(build, name))]
    lines = ["No requirements.txt in the app's root folder, so there is nothing for pip to install.",
             f"The app was detected as Python because of: {', '.join(found) or 'none of its files'}.",
             "This buildpack installs packages from requirements.txt (pip's format; `-r other.txt` and `-e .` work).",
             "setup.py, pyproject.toml, Pipfile, runtime.txt and .python-version mark a Python app but are not installed from.",
             "Add a requirements.txt to the app's root folder, then build again:",
             "  - list the packages the app needs, one per line (e.g. gunicorn==23.0.0);"]
    if "Pipfile" in found:
        lines.append("  - with Pipenv, write it with `pipenv requirements > requirements.txt`;")
    for marker in ("pyproject.toml", "setup.py"):
        if marker in found:
            lines.append(f"  - or write a line `.` to install the app itself with the dependencies its {marker} declares.")
            break
    raise CompileFailure(*lines)


def choose_interpreter(build):
    request = pythonversion.read_request(build)
    interpreter = pythonversion.select(request, os.environ.get("PATH", ""))
    if request is None:
        step(f"Using Python {interpreter.version}")
        detail("No Python version requested: using the stack's default python3.")
        detail("To choose one, add a .python-version file containing e.g. " + interpreter.minor + ".")
    else:
        step(f"Using Python {interpreter.version} ({request.source} asks for {request.version})")
        if request.source == ".python-version" and os.path.exists(os.path.join(build, "runtime.txt")):
            detail("runtime.txt is ignored: .python-version takes precedence.")
    return interpreter


def pip_host(interpreter):
    """A python that has pip, to install into the venv with `pip --python`: the app's own, else the stack's."""
    for candidate in (interpreter.executable, sys.executable):
        probe = subprocess.run([candidate, "-m", "pip", "--version"], capture_output=True, stdin=subprocess.DEVNULL)
        if probe.returncode == 0:
            return candidate
    return None


def stream(command, cwd, env):
    """Runs `command`, showing its output indented as it comes; returns (exit status, lines)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, text=True, errors="replace")
    lines = []
    for line in process.stdout:
        line = line.rstrip("\n")
        lines.append(line)
        detail(line)
    return process.wait(), lines


def install(build, venv, interpreter, lines, env, cache):
    subprocess.run([interpreter.executable, "-m", "venv", "--without-pip", venv], check=True, cwd=build)
    python = os.path.join(venv, "bin", "python")
    host = pip_host(interpreter)
    if host is None:
        subprocess.run([python, "-m", "ensurepip", "--default-pip"], check=True, cwd=build, capture_output=True)
        pip = [python, "-m", "pip"]
    else:
        pip = [host, "-m", "pip", "--python", python]
    command = pip + ["install", "-r", "requirements.txt", "--no-compile", "--progress-bar", "off"]
    step("Installing requirements with pip")
    status, output = stream(command, build, env)
    if status != 0:
        raise pip_failure(status, output, lines, build)
    leftovers = relocate.relocate(venv, build)
    for path in leftovers:
        detail(f"Warning: {os.path.relpath(path, build)} still contains the build directory's path.")
    # Hash-based pycs stay valid whatever mtimes the slug gets; relative paths keep BUILD_DIR out.
    subprocess.run([python, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    os.path.relpath(os.path.join(venv, "lib"), build)],
                   cwd=build, env=env, capture_output=True)


def pip_failure(status, output, lines, build):
    line, relation = requirements.failing_line(output, lines, build)
    message = [f"pip could not install the requirements (exit status {status}). pip says:"]
    message += ["       " + text for text in requirements.pip_error(output)]
    if line is not None and relation == "is":
        message.append(f"The failing requirement is {line.where}: {line.text}")
    elif line is not None:
        message.append(f"It is needed by the requirement on {line.where}: {line.text}")
    message.append("Fix or remove that requirement, then build again.")
    return CompileFailure(*message)


def has_django(venv):
    for site in relocate._site_packages(venv):
        if any(entry.lower().startswith("django-") and entry.endswith(".dist-info") for entry in os.listdir(site)):
            return True
    return False


def collectstatic(build, venv, config, env):
    if not os.path.isfile(os.path.join(build, "manage.py")) or not has_django(venv):
        return
    if config.get("DISABLE_COLLECTSTATIC", "") not in ("", "0"):
        step("Skipping Django collectstatic: DISABLE_COLLECTSTATIC is set")
        return
    step("$ python manage.py collectstatic --noinput")
    run_env = dict(env, PYTHONDONTWRITEBYTECODE="1", PATH=os.path.join(venv, "bin") + os.pathsep + env.get("PATH", ""))
    status, output = stream([os.path.join(venv, "bin", "python"), "manage.py", "collectstatic", "--noinput"], build, run_env)
    if status != 0:
        said = [text for text in output if text.strip()][-1:] or ["(no output)"]
        raise CompileFailure(f"Error while running '$ python manage.py collectstatic --noinput' (exit status {status}). Django says:",
                             *["       " + text for text in said],
                             "Fix the app's static files settings, or set DISABLE_COLLECTSTATIC=1 in the app's config vars to skip this step.")


def compile_app(build, cache_dir, config):
    require_requirements_txt(build)
    interpreter = choose_interpreter(build)
    files, lines = requirements.walk(build)
    env = dict(os.environ)
    env.update(config)
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_ROOT_USER_ACTION="ignore")
    venv = os.path.join(build, ".heroku", "python")
    if os.path.lexists(venv):
        detail("Replacing the app's own .heroku/python folder with the installed packages.")
        subprocess.run(["rm", "-rf", venv], check=True)
    os.makedirs(os.path.dirname(venv), exist_ok=True)
    with buildcache.BuildCache(cache_dir) as cache:
        state = cache.state()
        if state and state.get("python") and (state.get("python"), state.get("executable")) != (interpreter.version, interpreter.executable):
            detail(f"Discarding the cache: it was written by Python {state.get('python')} ({state.get('executable')}), "
                   f"this build uses Python {interpreter.version} ({interpreter.executable}).")
            cache.discard()
        if "PIP_CACHE_DIR" not in config and "PIP_NO_CACHE_DIR" not in config:
            env["PIP_CACHE_DIR"] = cache.pip
        key = buildcache.cache_key(build, interpreter, requirements.key_inputs(build, files, lines), config)
        if cache.has_venv(key):
            step("Requirements unchanged: reusing installed packages from the cache")
            cache.restore(venv)
        else:
            if cache.state().get("key"):
                detail("Requirements changed since the cached build: installing them from scratch.")
            install(build, venv, interpreter, lines, env, cache)
            cache.save(venv, interpreter, key)
    os.makedirs(os.path.join(build, ".profile.d"), exist_ok=True)
    with open(os.path.join(build, ".profile.d", "python.sh"), "w", encoding="utf-8") as handle:
        handle.write(PROFILE)
    collectstatic(build, venv, config, env)


def main(arguments):
    if len(arguments) < 2:
        error("usage: bin/compile BUILD_DIR CACHE_DIR [ENV_DIR]")
        return 1
    build = os.path.realpath(arguments[0])
    cache_dir = os.path.realpath(arguments[1])
    os.makedirs(cache_dir, exist_ok=True)
    config = read_env_dir(arguments[2] if len(arguments) > 2 else None)
    try:
        compile_app(build, cache_dir, config)
    except CompileFailure as failure:
        show_failure(failure)
        return 1
    except (OSError, subprocess.CalledProcessError) as problem:
        error(f"The Python buildpack failed unexpectedly: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
