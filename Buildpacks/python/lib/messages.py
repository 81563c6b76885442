"""Every message of the Python buildpack that a user reads, in one place.

Each function returns the lines of one message; `CompileFailure(*lines)` prints them as
` !     ` errors, `output.warning` as warnings. Lines that already start with seven spaces are
quoted output and pass unchanged.
"""

INDEX_HELP = ("set the config var PYTHON_RUNTIME_INDEX to the URL or path of a runtime index "
              "(JSON listing relocatable CPython archives; see Buildpacks/python/README.md)")


# --- the version request -----------------------------------------------------------------

def version_file_unreadable(name, reason):
    return [f"{name} cannot be read: {reason}.",
            f"Make {name} a readable text file containing a Python version such as 3.11."]


def version_file_not_text(name):
    return [f"{name} is not a text file (it is not valid UTF-8).",
            f"Make {name} a text file containing a Python version such as 3.11."]


def version_file_is_folder(name, examples):
    return [f"{name} is a folder; it must be a file containing a Python version such as {examples}."]


def version_file_empty(name, examples):
    return [f"{name} is empty.",
            f"Write the Python version the app needs into it, such as {examples}, or delete it to use the default version."]


def version_not_understood(name, line, examples):
    return [f"{name} asks for '{line}', which is not a Python version this buildpack understands.",
            f"Write it as {examples}."]


def runtime_txt_deprecated(series):
    return ["runtime.txt is deprecated: write the version into a .python-version file instead,",
            f"e.g. `echo {series} > .python-version`, and delete runtime.txt."]


def python_version_file_wins():
    return "runtime.txt is ignored: .python-version takes precedence."


def end_of_life(version):
    return [f"Python {version} has reached its end of life: it gets no security fixes.",
            "Move the app to a supported version (3.10 or newer) and change .python-version."]


def exact_version_missing(requested, chosen, source):
    series = ".".join(requested.split(".")[:2])
    return [f"Python {requested} is not available ({source} asks for it); using {chosen}, the newest {series}.",
            f"To take the newest {series} without this warning, write {series} into {source}."]


def no_version_requested(series):
    return [f"No Python version requested: using the newest available.",
            f"To choose one, add a .python-version file containing e.g. {series}."]


def no_such_version(request, offers, skipped):
    """`offers`: [(label, [versions])]; `skipped`: [(path, reason)]."""
    lines = [f"Python {request.version} is not available ({request.source} asks for it).", "Available Python versions:"]
    for label, versions in offers:
        lines.append(f"  {label}: {', '.join(versions)}")
    if not offers:
        lines.append("  none")
    for path, reason in skipped:
        lines.append(f"  (not usable: {path}: {reason})")
    lines.append(f"Change {request.source} to one of these versions, or {INDEX_HELP} that offers Python {request.version}."
                 if request.source != "the last build" else
                 f"Add a .python-version file naming one of these versions, or {INDEX_HELP}.")
    return lines


def nothing_available(skipped):
    lines = ["No Python interpreter is available to install: the runtime index offers none for this machine,",
             "the build cache has none, and this machine has no movable CPython (pyenv, uv or python3.X on PATH)."]
    for path, reason in skipped:
        lines.append(f"  (not usable: {path}: {reason})")
    lines.append(f"Install one on the build machine (e.g. with pyenv or uv), or {INDEX_HELP}.")
    return lines


# --- where interpreters come from -------------------------------------------------------

def index_unavailable(label, reason):
    return f"could not read {label} ({reason}); using the other sources."


def index_dropped(version, reason):
    return f"it offers Python {version}, but the download failed ({reason})"


def index_off():
    return "Not using a runtime index (PYTHON_RUNTIME_INDEX turns it off)."


def download_unavailable(version, url, reason):
    return f"could not download Python {version} from {url} ({reason}); trying the next source."


def index_not_json(label, reason):
    return [f"{_capitalized(label)} is not valid: {reason}.",
            'It must be JSON: {"versions": [{"version": "3.12.7", "url": "...", "sha256": "..."}]}.',
            "Fix the file, or set PYTHON_RUNTIME_INDEX to another index (an empty value turns the index off)."]


def index_entry_invalid(label, number):
    return [f"{_capitalized(label)} is not valid: entry {number} of \"versions\" needs a \"version\" (like 3.12.7),",
            "a \"url\" and a \"sha256\" (64 hex digits).",
            "Fix the entry, or set PYTHON_RUNTIME_INDEX to another index (an empty value turns the index off)."]


def _capitalized(text):
    return text[:1].upper() + text[1:]


def checksum_mismatch(url, expected, actual):
    return [f"The Python archive downloaded from {url} does not match its checksum:",
            f"  the runtime index says SHA-256 {expected},",
            f"  the downloaded file has SHA-256 {actual}.",
            "Nothing was installed or cached. If the archive was replaced on purpose, update the index's sha256; "
            "otherwise the download was damaged or tampered with: build again, or use another mirror."]


def archive_unsafe(archive, entry):
    return [f"The Python archive {archive} has an entry that would be written outside its folder: {entry}.",
            "Nothing was installed. Use an archive in python-build-standalone's install_only layout."]


def archive_not_python(archive):
    return [f"The Python archive {archive} has no python/ folder.",
            "Use an archive in python-build-standalone's install_only layout (python/bin/python3, python/lib/...)."]


def archive_unreadable(archive, reason):
    return [f"The Python archive {archive} cannot be unpacked: {reason}.",
            "Nothing was installed. Check that the index's URL points at a .tar.gz archive."]


def runtime_broken(series, origin, reason):
    return [f"Python {series} from {origin} cannot go into the slug: once copied, it fails to start or to import",
            f"the modules every app relies on (ssl, sqlite3, ctypes, zlib): {reason}.",
            "Pick another version in .python-version, or rebuild that interpreter with those modules (e.g. with OpenSSL's headers installed)."]


def patchelf_missing(origin):
    return [f"The interpreter at {origin} finds its libraries through an absolute path (RUNPATH),",
            "which would point at the build machine once it is in the slug; patchelf is needed to rewrite it",
            "and this machine has none. Install it (apt-get install patchelf), or set PYTHON_RUNTIME_INDEX",
            "to use relocatable archives instead."]


def no_pip(version):
    return [f"Python {version} came without pip's wheel (ensurepip/_bundled), and the buildpack's own Python has no pip.",
            "Install python3-pip on the build machine, or use an interpreter from a runtime index."]


# --- installing the app's packages ------------------------------------------------------

def no_package_manager(found, listing):
    lines = ["Couldn't find any supported Python package manager files.",
             "A Python app must have one of these files in its root folder: requirements.txt (pip),",
             "Pipfile.lock (Pipenv), poetry.lock (Poetry) or uv.lock (uv).",
             f"The app was detected as Python because of: {', '.join(found) or 'none of its files'}.",
             "The app's root folder contains:"]
    lines += ["  " + name for name in listing] or ["  (nothing)"]
    lines += ["If the app has one of those files, check that it:",
              "  1. is in the app's root folder, not a subfolder (or build that subfolder with --app-dir);",
              "  2. is named exactly as above (names are case-sensitive);",
              "  3. is not excluded by .gitignore or .slugignore;",
              "  4. is committed: Heroku builds what is pushed, and slugc build --git-ref what is committed.",
              "Otherwise add one, then build again:",
              "  - a requirements.txt listing the packages the app needs, one per line (e.g. gunicorn==23.0.0),",
              "    or an empty one if it needs none;"]
    for marker in ("pyproject.toml", "setup.py"):
        if marker in found:
            lines.append(f"  - or a requirements.txt with a line `.` to install the app itself with the dependencies its {marker} declares;")
            break
    lines.append("  - or lock the app with Pipenv (`pipenv lock`), Poetry (`poetry lock`) or uv (`uv lock`) and commit the lock file.")
    return lines


def several_package_managers(found):
    """`found`: [(file, manager title)] in Heroku's order."""
    lines = ["Multiple Python package manager files were found.",
             "Exactly one package manager file must be in the app's root folder, but there are several:"]
    lines += [f"  {name} ({title})" for name, title in found]
    lines += ["Decide which package manager the app uses, then delete the other files (and their config),",
              f"e.g. `git rm {' '.join(name for name, _ in found[1:])}` to keep {found[0][1]}, and build again."]
    return lines


def lock_missing(manifest, lock, title, command, table=None):
    what = f"{manifest} has a {table} table" if table else f"The app has a {manifest}"
    return [f"{what}, but there is no {lock}: {title}'s dependencies are not locked,",
            "so the versions installed could differ from those the app was tested with.",
            f"Run `{command}` where the app is developed, commit {lock} (check that .gitignore and",
            ".slugignore do not exclude it), then build again."]


def uv_needs_python_version():
    return ["The app uses uv, which needs the app's Python version in a .python-version file, and there is none.",
            "Create one with e.g. `uv python pin 3.13` (or `echo 3.13 > .python-version`), commit it, then build again."]


def requires_python_unmet(version, request, specifier):
    asked = f" ({request.source} asks for {request.version})" if request is not None else ""
    return [f"Python {version}{asked} does not meet the app's requires-python '{specifier}' (pyproject.toml).",
            "Ask for a version that meets it in .python-version, or change requires-python in pyproject.toml, then build again."]


def pipfile_lock_unreadable(reason):
    return [f"Pipfile.lock is not valid JSON: {reason}.",
            "Run `pipenv lock` to write it again, commit it, then build again."]


def tool_install_failed(title, version, status, said):
    how = f" (exit status {status})" if status is not None else ""
    lines = [f"{title} {version} could not be installed into the build cache{how}:"]
    lines += ["       " + text for text in said]
    lines += [f"The buildpack installs {title} with pip, from the package index pip is configured with.",
              "Without access to PyPI, set the config var PIP_INDEX_URL to a mirror, or PIP_FIND_LINKS to a folder",
              f"or page holding {title} {version}'s wheels and their dependencies (with PIP_NO_INDEX=1 for no index at all)."]
    return lines


# What uv, Poetry (requests) and Pipenv (pip) say when the index did not answer, or when they did
# not trust its certificate: then the lock file is not what to fix. Not uv's bare "Failed to
# download": it also heads a hash mismatch, which is the lock's (or the index's) business.
DOWNLOAD_FAILURES = ("error sending request", "tcp connect error", "client error (Connect)", "Connection refused",
                     "dns error", "Name or service not known", "Temporary failure in name resolution",
                     "Max retries exceeded", "Read timed out", "operation timed out")
CERTIFICATE_FAILURES = ("invalid peer certificate", "CERTIFICATE_VERIFY_FAILED", "certificate verify failed")
# The config var that makes each tool trust a proxy's or mirror's certificate authority.
TRUST_SETTINGS = {"uv": "UV_SYSTEM_CERTS=1 (uv then trusts the build machine's certificate store)",
                  "poetry": "REQUESTS_CA_BUNDLE to the path of the CA bundle to trust",
                  "pipenv": "PIP_CERT to the path of the CA bundle to trust"}


def lock_install_failed(manager, arguments, status, said):
    text = "\n".join(said)
    if any(marker in text for marker in CERTIFICATE_FAILURES):
        advice = (f"{manager.title} did not trust the package index's TLS certificate (a proxy that re-signs TLS "
                  f"causes this): set the config var {TRUST_SETTINGS[manager.name]}, then build again.")
    elif any(marker in text for marker in DOWNLOAD_FAILURES):
        advice = (f"{manager.title} could not download from the package index {manager.lock} names: check that the build "
                  "machine reaches it (set the config var HTTPS_PROXY if it needs a proxy), then build again.")
    else:
        advice = f"Fix {manager.lock} (or {manager.manifest}), then build again."
    return [f"{manager.title} could not install the app's dependencies: '{manager.name} {arguments}' exited with status {status}. It says:",
            *["       " + text for text in said],
            advice]


def link_out_of_app(name, target):
    return [f"{name} is a symlink to {target}, which leads outside the app, so the Python buildpack did not read it.",
            f"Put the file itself in the app instead of a link (e.g. cp --remove-destination \"$(readlink -f {name})\" {name}), "
            "and commit it."]


def committed_environment(folder):
    return [f"The app's source contains an installed Python environment: {folder}/.",
            "It must not be in the repository: it holds the build machine's paths and binaries, and the buildpack",
            "installs the app's packages itself. Delete it from the repository (`git rm -r --cached "
            f"{folder}` and add it to .gitignore), or list it in .slugignore, then build again."]


def saved_as_utf16(name):
    return [f"{name} is saved as UTF-16 (Windows PowerShell's `>` writes that), which this buildpack cannot read.",
            f"Save it as UTF-8 (e.g. `Set-Content -Encoding utf8`, or your editor's \"Save with encoding\"), then build again."]


def byte_order_mark(name):
    return [f"{name} starts with a UTF-8 byte-order mark (Notepad writes one); it is read without it.",
            "Save it as UTF-8 without BOM so every tool reads its first line alike."]


def pip_failed(status, quoted, line, relation):
    lines = [f"pip could not install the requirements (exit status {status}). pip says:"]
    lines += ["       " + text for text in quoted]
    if line is not None and relation == "is":
        lines.append(f"The failing requirement is {line.where}: {line.text}")
    elif line is not None:
        lines.append(f"It is needed by the requirement on {line.where}: {line.text}")
    lines.append("Fix or remove that requirement, then build again.")
    return lines


def collectstatic_failed(status, said):
    return [f"Error while running '$ python manage.py collectstatic --noinput' (exit status {status}). Django says:",
            *["       " + text for text in said],
            "Fix the app's static files settings, or set DISABLE_COLLECTSTATIC=1 in the app's config vars to skip this step."]


def leftover_build_path(relative):
    return f"Warning: {relative} still contains the build directory's path."


def unexpected(problem):
    return f"The Python buildpack failed unexpectedly: {problem}"
