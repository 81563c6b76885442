"""bin/compile BUILD_DIR CACHE_DIR ENV_DIR for the static buildpack.

Checks static.json and the site root, then puts the web server in BUILD_DIR/.static/: the build
machine's nginx (nginx_install), the configuration made from static.json (nginx_config), the
content types (mime_types) and start.sh, the web process, with the values it needs at boot
(boot.sh). Nothing written holds BUILD_DIR's path: nginx runs with the app folder as its prefix.
"""
import os
import shlex
import shutil
import sys

import messages
import mime_types
import nginx_config
import nginx_install
import site_scan
import static_config
from output import CompileFailure, detail, error, step, warning

RUNTIME = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "runtime")


def boot_script(config, boot_values):
    """.static/boot.sh: the messages start.sh prints and the values it completes, as bash
    assignments of single-quoted strings (shlex.quote), so nothing in them is ever run."""
    lines = ["# Written by slugc's static buildpack (lib/compile.py) for start.sh, which sources it: the messages",
             "# it prints (lib/messages.py) and the static.json values it completes from config vars at boot.",
             "site_root=%s" % shlex.quote(static_config.display_root(config.root))]
    lines += ["%s=%s" % (name, shlex.quote(text)) for name, text in messages.RUNTIME.items()]
    for name, field in (("keys", "key"), ("kinds", "kind"), ("templates", "template")):
        values = " ".join(shlex.quote(getattr(value, field)) for value in boot_values)
        lines.append("boot_value_%s=(%s)" % (name, values))
    return "\n".join(lines) + "\n"


def write(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)


def install_server(build, config):
    static_dir = os.path.join(build, ".static")
    nginx = nginx_install.find(os.environ.get("PATH"))
    if os.path.lexists(static_dir):
        detail(messages.REPLACING_DOT_STATIC)
        if os.path.isdir(static_dir) and not os.path.islink(static_dir):
            shutil.rmtree(static_dir)
        else:
            os.remove(static_dir)
    os.makedirs(os.path.join(static_dir, "errors"))
    libraries = nginx_install.install(nginx, static_dir)
    scan = site_scan.scan(build, config.root, config.text)
    types = mime_types.table()
    root_is_app = os.path.realpath(os.path.join(build, config.root)) == os.path.realpath(build)
    site = nginx_config.Site(config, scan, types, root_is_app)
    template, boot_values = nginx_config.render(site)
    write(os.path.join(static_dir, "nginx.conf.template"), template)
    write(os.path.join(static_dir, "mime.types"), mime_types.nginx_types(types))
    write(os.path.join(static_dir, "boot.sh"), boot_script(config, boot_values))
    shutil.copyfile(os.path.join(RUNTIME, "start.sh"), os.path.join(static_dir, "start.sh"))
    os.chmod(os.path.join(static_dir, "start.sh"), 0o755)
    shutil.copyfile(os.path.join(RUNTIME, "errors", "404.html"), os.path.join(static_dir, "errors", "404.html"))
    said = nginx_install.check(nginx, build, template, boot_values)
    detail(messages.server(nginx.version, nginx.path, libraries))
    if scan.blocked:
        detail(messages.symlinks_not_served(len(scan.blocked), scan.blocked[:3]))
    if config.basic_auth:
        detail(messages.basic_auth_no_etag())
    for line in said:
        warning(messages.config_warning(line))


def main(argv):
    if len(argv) < 2 or not os.path.isdir(argv[1]):
        error(messages.USAGE)
        return 1
    build = argv[1]
    step(messages.STEP)
    try:
        config = static_config.load(build)
    except static_config.ConfigError as problem:
        error(str(problem))
        return 1
    for line in static_config.summary(config):
        detail(line)
    try:
        install_server(build, config)
    except CompileFailure as failure:
        error(failure.message)
        return 1
    for text in config.warnings:
        warning(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
