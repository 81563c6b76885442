"""bin/compile BUILD_DIR CACHE_DIR ENV_DIR for the Python buildpack.

Puts a whole Python installation at BUILD_DIR/.heroku/python (from the build cache, a runtime
index or the build machine; see runtimesources.py) and installs the app's dependencies into its
own site-packages with the package manager its lock file names (packagemanagers.py): pip for
requirements.txt, or uv, Poetry or Pipenv (lockinstall.py, tools.py), so the slug runs on a stack
image that has no Python at all.
"""
import os
import shutil
import subprocess
import sys

import apptree
import buildcache
import cachereasons
import lockinstall
import messages
import packagemanagers
import pythonversion
import relocate
import requirements
import requirespython
import resolution
import runtimeindex
import runtimesources
import tools
from output import CompileFailure, detail, error, show_failure, step, warning
from pythonversion import VersionRequest, series

# Config vars that would break the build itself if exported (Heroku's list, plus Python's own).
NOT_EXPORTED = {"PATH", "GIT_DIR", "CPATH", "CPPATH", "LD_PRELOAD", "LIBRARY_PATH", "PYTHONHOME", "PYTHONPATH"}
PROFILE = """\
# Written by slugc's Python buildpack: the interpreter and packages installed at build time,
# found from $HOME so the app runs wherever the slug is extracted.
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


def check_app_tree(build):
    """What must hold before anything is installed: no committed environment, exactly one
    package manager's lock file, files that the tools and this buildpack read alike. Returns the Manager."""
    link = apptree.link_out_of_app(build)
    if link:
        raise CompileFailure(*messages.link_out_of_app(*link))
    environment = apptree.committed_environment(build)
    if environment:
        raise CompileFailure(*messages.committed_environment(environment))
    manager = packagemanagers.choose(build)
    for name in ("requirements.txt", ".python-version", "runtime.txt"):
        encoding = apptree.encoding_of(os.path.join(build, name))
        if encoding == "utf-16":
            raise CompileFailure(*messages.saved_as_utf16(name))
        if encoding == "utf-8-bom":
            warning(*messages.byte_order_mark(name))
    return manager


def effective_request(build, state):
    """The app's request, else the series the last build used (Heroku keeps apps on it), else None."""
    request = pythonversion.read_request(build)
    if request is None and isinstance(state.get("python"), str) and pythonversion.is_final_release(state["python"]):
        return request, VersionRequest(series(state["python"]), "the last build")
    return request, request


def using_line(version, asked, effective):
    if asked is not None:
        return f"Using Python {version} ({asked.source} asks for {asked.version})"
    if effective is not None:
        return f"Using Python {version} (the last build used Python {effective.series}; no version requested)"
    return f"Using Python {version}"


def explain_choice(choice, asked, effective, build):
    """What the user should know about the version once it is installed: said once, after any retries."""
    version = choice.offer.version
    if asked is not None and asked.source == ".python-version" and os.path.exists(os.path.join(build, "runtime.txt")):
        detail(messages.python_version_file_wins())
    if asked is None and effective is not None:
        detail(f"To choose one, add a .python-version file containing e.g. {series(version)}.")
    elif asked is None:
        detail(*messages.no_version_requested(series(version)))
    if asked is not None and asked.source == "runtime.txt":
        warning(*messages.runtime_txt_deprecated(series(version)))
    for lines in choice.warnings:
        warning(*lines)


def install_interpreter(cache, config, build, asked, effective):
    """Chooses and readies the interpreter; returns (offer, runtime key). A source that cannot
    deliver (an unreachable download) is dropped and the choice made again from the rest."""
    environment = dict(os.environ)
    offers, skipped = runtimesources.gather(cache, config, build, environment)
    required = requirespython.read(build)
    while True:
        choice = resolution.choose(effective, offers, skipped)
        if required and requirespython.satisfied(choice.offer.version, required) is False:
            raise CompileFailure(*messages.requires_python_unmet(choice.offer.version, asked, required))
        step(using_line(choice.offer.version, asked, effective))
        step(f"Installing Python {choice.offer.version} (from {runtimesources.describe(choice.offer)})")
        try:
            key = runtimesources.provide(choice.offer, cache)
        except runtimeindex.Unavailable as problem:
            warning(messages.download_unavailable(choice.offer.version, choice.offer.origin, problem))
            offers = [offer for offer in offers if offer.kind != "index"]
            skipped = skipped + [(choice.offer.label, messages.index_dropped(choice.offer.version, problem))]
            continue
        explain_choice(choice, asked, effective, build)
        return choice.offer, key


def pip_command(cache, runtime_key, python, version):
    wheel = cache.pip_wheel(runtime_key)
    if wheel:
        # pip runs from its wheel inside the app's own interpreter: it installs into that
        # interpreter's site-packages, and pip itself never enters the slug.
        return [python, "-E", "-s", os.path.join(wheel, "pip")]
    host = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, stdin=subprocess.DEVNULL)
    if host.returncode != 0:
        raise CompileFailure(*messages.no_pip(version))
    return [sys.executable, "-m", "pip", "--python", python]


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


def install_requirements(build, prefix, pip, lines, env):
    step("Installing requirements with pip")
    command = pip + ["install", "-r", "requirements.txt", "--no-compile", "--progress-bar", "off", "--no-warn-script-location"]
    status, output = stream(command, build, env)
    if status != 0:
        line, relation = requirements.failing_line(output, lines, build)
        raise CompileFailure(*messages.pip_failed(status, requirements.pip_error(output), line, relation))


def finish_install(build, prefix, env, version):
    """What every manager's install needs afterwards: paths made relative, bytecode that stays valid in the slug."""
    python = os.path.join(prefix, "bin", "python")
    site = os.path.join(prefix, "lib", "python" + series(version), "site-packages")
    # Bytecode a tool compiled (Pipenv's pip does, whatever PIP_NO_COMPILE says) names the build
    # folder; it is compiled again below, hash-based and with the slug's paths.
    for folder, names, _ in os.walk(site):
        if "__pycache__" in names:
            names.remove("__pycache__")
            shutil.rmtree(os.path.join(folder, "__pycache__"))
    for path in relocate.relocate(prefix, build):
        detail(messages.leftover_build_path(os.path.relpath(path, build)))
    # Hash-based pycs stay valid whatever mtimes the slug gets; -d names the files as on a dyno.
    subprocess.run([python, "-E", "-s", "-S", "-m", "compileall", "-f", "-q", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    "-d", f"/app/.heroku/python/lib/python{series(version)}/site-packages", site],
                   cwd=build, env=env, capture_output=True)


def has_django(prefix):
    for site in relocate.site_packages(prefix):
        if any(entry.lower().startswith("django-") and entry.endswith(".dist-info") for entry in os.listdir(site)):
            return True
    return False


def collectstatic(build, prefix, config, env):
    if not os.path.isfile(os.path.join(build, "manage.py")) or not has_django(prefix):
        return
    if config.get("DISABLE_COLLECTSTATIC", "") not in ("", "0"):
        step("Skipping Django collectstatic: DISABLE_COLLECTSTATIC is set")
        return
    step("$ python manage.py collectstatic --noinput")
    run_env = dict(env, PYTHONDONTWRITEBYTECODE="1", PATH=os.path.join(prefix, "bin") + os.pathsep + env.get("PATH", ""))
    status, output = stream([os.path.join(prefix, "bin", "python"), "manage.py", "collectstatic", "--noinput"], build, run_env)
    if status != 0:
        said = [text for text in output if text.strip()][-1:] or ["(no output)"]
        raise CompileFailure(*messages.collectstatic_failed(status, said))


def compile_app(build, cache_dir, config):
    manager = check_app_tree(build)
    if manager.name == "pip":
        files, lines = requirements.walk(build)
        input_names = requirements.key_inputs(build, files, lines)
    else:
        lines, input_names = [], packagemanagers.key_inputs(build, manager)
    manager_version = tools.PINNED.get(manager.name)
    stack = os.environ.get("STACK", "")
    # SLUGC_CACHE_LINKS is the buildpack's to write (buildcache.py), not the tools' or the app's.
    base_env = {key: value for key, value in os.environ.items()
                if key not in ("PYTHONHOME", "PYTHONPATH", "PIP_REQUIRE_VIRTUALENV", "VIRTUAL_ENV", "SLUGC_CACHE_LINKS")}
    base_env.update(config)
    base_env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_ROOT_USER_ACTION="ignore")
    env = dict(base_env)
    prefix = os.path.join(build, ".heroku", "python")
    with buildcache.BuildCache(cache_dir) as cache:
        state = cache.state()
        asked, effective = effective_request(build, state)
        if manager.name == "uv" and (asked is None or asked.source != ".python-version"):
            raise CompileFailure(*messages.uv_needs_python_version())
        offer, runtime_key = install_interpreter(cache, config, build, asked, effective)
        if os.path.lexists(prefix):
            detail("Replacing the app's own .heroku/python folder with the installed Python.")
            subprocess.run(["rm", "-rf", prefix], check=True)
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
        inputs = buildcache.digests(build, input_names)
        reasons = cachereasons.interpreter_reasons(state, stack, offer.version)
        others = cachereasons.manager_reasons(state, manager, manager_version, inputs)
        if reasons or others:
            step("Discarding cache since:")
            for reason in reasons + others:
                detail(f"- {reason}")
            cache.discard_installed(wheels=bool(reasons))
        if "PIP_CACHE_DIR" not in config and "PIP_NO_CACHE_DIR" not in config:
            env["PIP_CACHE_DIR"] = cache.pip
        key = buildcache.cache_key(runtime_key, inputs, config, stack, f"{manager.name} {manager_version}",
                                   lockinstall.CONFIG_PREFIXES[manager.name])
        if cache.has_installed(key):
            what = "Requirements" if manager.name == "pip" else manager.lock
            step(f"{what} unchanged: reusing installed packages from the cache")
            cache.restore_installed(prefix, build, os.environ.get("SLUGC_CACHE_LINKS"))
        else:
            if cache.state().get("key") and not (reasons or others):
                detail("Requirements changed since the cached build: installing them from scratch.")
            metadata_before = set(apptree.egg_info_folders(build))
            buildcache.share_runtime(cache.tree(runtime_key), prefix)
            if manager.name == "pip":
                pip = pip_command(cache, runtime_key, os.path.join(prefix, "bin", "python"), offer.version)
                install_requirements(build, prefix, pip, lines, env)
            else:
                tool = tools.ensure(cache, runtime_key, manager.name, env, stream)
                lockinstall.install(manager, tool, build, lockinstall.environment(manager, prefix, cache, env, config), stream)
            finish_install(build, prefix, env, offer.version)
            made = [path for path in apptree.egg_info_folders(build) if path not in metadata_before]
            cache.save_installed(prefix, build, made)
        cache.write_state(stack=stack, python=offer.version, runtime=runtime_key, key=key,
                          manager=manager.name, manager_version=manager_version, inputs=inputs)
        cache.prune_runtimes(runtime_key)
    os.makedirs(os.path.join(build, ".profile.d"), exist_ok=True)
    with open(os.path.join(build, ".profile.d", "python.sh"), "w", encoding="utf-8") as handle:
        handle.write(PROFILE)
    collectstatic(build, prefix, config, env)


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
        error(messages.unexpected(problem))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
