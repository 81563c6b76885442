"""The nginx the slug carries: the build machine's own binary, copied into .static/bin.

Debian's and Ubuntu's nginx packages build in everything the site uses (gzip, rewrite, map,
geo, charset, headers, auth_basic, proxy, ssl), so no dynamic module is loaded. The binary is
linked only to libraries the stack's run image has (RUN_IMAGE_LIBRARIES); any other library it
needs is copied into .static/lib and found through RUNPATH $ORIGIN/../lib. Its compiled-in
paths (/etc/nginx, /var/log/nginx, /var/lib/nginx, /run) are never used: start.sh passes -p,
-c and -e, and the configuration sets the pid, lock and temporary paths under .static/run.
"""
import os
import re
import shutil
import subprocess

import messages
from output import CompileFailure

MINIMUM = (1, 19, 5)  # -e (the error log before the configuration is read) came in 1.19.5
SEARCHED = ("/usr/sbin", "/usr/local/sbin", "/sbin")
# heroku-24's run image (REFERENCE.md, "The run image") as sonames, with glibc's own parts.
RUN_IMAGE_LIBRARIES = {
    "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2",
    "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1", "linux-vdso.so.1", "linux-vdso.so.1",
    "libcrypt.so.1", "libpcre2-8.so.0", "libssl.so.3", "libcrypto.so.3", "libz.so.1", "libgcc_s.so.1",
    "libstdc++.so.6", "libsqlite3.so.0", "libffi.so.8", "libbz2.so.1.0", "liblzma.so.5", "libreadline.so.8",
    "libncursesw.so.6", "libtinfo.so.6", "libexpat.so.1", "libgdbm.so.6", "libuuid.so.1", "libxml2.so.2",
    "libcurl.so.4",
}


class Nginx:
    def __init__(self, path, version):
        self.path = path
        self.version = version


def find(path_variable):
    """The first nginx on PATH, then in the sbin folders a plain user's PATH leaves out."""
    folders = [folder for folder in (path_variable or "").split(":") if folder.startswith("/")]
    folders += [folder for folder in SEARCHED if folder not in folders]
    for folder in folders:
        candidate = os.path.join(folder, "nginx")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return Nginx(candidate, _version(candidate))
    raise CompileFailure(messages.nginx_missing(list(SEARCHED) + ["PATH"]))


def _version(path):
    try:
        said = subprocess.run([path, "-v"], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as problem:
        raise CompileFailure(messages.nginx_unusable(path, problem))
    match = re.search(r"nginx/([0-9]+)\.([0-9]+)\.([0-9]+)", said.stderr + said.stdout)
    if said.returncode != 0 or match is None:
        raise CompileFailure(messages.nginx_unusable(path, (said.stderr or said.stdout).strip() or "no version"))
    version = tuple(int(part) for part in match.groups())
    if version < MINIMUM:
        raise CompileFailure(messages.nginx_too_old(path, ".".join(map(str, version)), ".".join(map(str, MINIMUM))))
    return ".".join(map(str, version))


def _libraries(path):
    """(soname, resolved path or None) of everything the binary loads, as ldd lists it."""
    said = subprocess.run(["ldd", path], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    found = []
    for line in said.stdout.splitlines():
        match = re.match(r"\s*(\S+)\s+=>\s+(not found|\S+)", line)
        if match:
            found.append((match.group(1), None if match.group(2) == "not found" else match.group(2)))
        elif re.match(r"\s*(\S+)\s+\(0x", line):
            found.append((os.path.basename(line.split()[0]), line.split()[0]))
    return found


def install(nginx, static_dir):
    """Copies the binary (and any library the run image lacks); returns the copied libraries' names."""
    binary = os.path.join(static_dir, "bin", "nginx")
    os.makedirs(os.path.dirname(binary))
    shutil.copyfile(nginx.path, binary)
    os.chmod(binary, 0o755)
    missing = [(name, where) for name, where in _libraries(nginx.path) if name not in RUN_IMAGE_LIBRARIES]
    if not missing:
        return []
    patchelf = shutil.which("patchelf")
    if patchelf is None:
        raise CompileFailure(messages.patchelf_missing(missing[0][0]))
    library_dir = os.path.join(static_dir, "lib")
    os.makedirs(library_dir)
    for name, where in missing:
        if where is None:
            raise CompileFailure(messages.library_unavailable(name, nginx.path))
        copy = os.path.join(library_dir, name)
        shutil.copyfile(os.path.realpath(where), copy)
        os.chmod(copy, 0o644)
        subprocess.run([patchelf, "--set-rpath", "$ORIGIN", copy], check=True, capture_output=True)
    subprocess.run([patchelf, "--set-rpath", "$ORIGIN/../lib", binary], check=True, capture_output=True)
    return [name for name, _ in missing]


def check(nginx, build_dir, template, boot_values):
    """nginx -t on the configuration with stand-in boot values: a directive this nginx does not
    know (a module it lacks) fails the build, not the boot. Returns what nginx warned about."""
    stand_ins = {"url": "/", "origin": "http://127.0.0.1/", "host": "example.com"}
    text = template.replace("@PORT@", "5000").replace("@USER@", "user root;" if os.geteuid() == 0 else "")
    for index, value in enumerate(boot_values):
        text = text.replace("@VALUE%d@" % index, stand_ins[value.kind])
    run = os.path.join(build_dir, ".static", "run")
    os.makedirs(run, exist_ok=True)
    try:
        with open(os.path.join(run, "nginx.conf"), "w", encoding="utf-8") as handle:
            handle.write(text)
        said = subprocess.run([nginx.path, "-t", "-q", "-p", build_dir.rstrip("/") + "/", "-c",
                               os.path.join(run, "nginx.conf"), "-e", "stderr"],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    finally:
        shutil.rmtree(run, ignore_errors=True)
    lines = [_plain(line).replace(os.path.join(run, "nginx.conf"), ".static/run/nginx.conf")
             for line in said.stderr.splitlines() if line.strip()]
    if said.returncode != 0:
        raise CompileFailure(messages.config_refused(nginx.path, "; ".join(lines) or "exit %d" % said.returncode))
    return lines


def _plain(line):
    """"[warn] …" from "nginx: [warn] …" or "2026/01/01 00:00:00 [warn] 12#12: …"."""
    line = re.sub(r"^nginx: ", "", line)
    line = re.sub(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d ", "", line)
    return re.sub(r"^(\[\w+\]) \d+#\d+: ", r"\1 ", line)
