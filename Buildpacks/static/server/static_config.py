"""Reads and checks static.json for the static site buildpack.

Shared by bin/compile (which runs it as `static_config.py --check APP_DIR` so a bad
static.json fails the build) and by serve.py (which loads the same settings at boot), so
the build and the running site can never disagree about what static.json means.
Python 3 standard library only: it runs on the stack's python3.
"""

import json
import os
import re
import sys

CONFIG_NAME = "static.json"
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# heroku-buildpack-static keys slugc does not implement: accepted with a warning so an app
# moved from Heroku still builds.
UNSUPPORTED_KEYS = ("proxies", "basic_auth", "basic_auth_htpasswd_path", "canonical_host", "host")


class ConfigError(Exception):
    """A problem with static.json or the site root; the message is a full sentence."""


class SiteConfig:
    """The settings the server needs, with defaults filled in."""

    def __init__(self):
        self.root = "."                 # relative to the app folder
        self.root_reason = ""
        self.clean_urls = False
        self.error_page = None          # relative to the root
        self.https_only = False
        self.encoding = "UTF-8"
        self.headers = []               # [(glob, {name: value})], in file order
        self.redirects = {}             # path -> (url, status)
        self.routes = []                # [(glob, target relative to root)], in file order
        self.warnings = []
        self.keys = []                  # the keys static.json set, for the compile summary


def _line_of(text, keys):
    """The 1-based line where the nested key path `keys` appears, found by searching for each
    quoted key after the previous one; None when it cannot be found (json does not keep positions)."""
    position = 0
    for key in keys:
        match = re.compile(r'"%s"\s*:' % re.escape(json.dumps(key)[1:-1])).search(text, position)
        if match is None:
            return None
        position = match.start()
    return text.count("\n", 0, position) + 1


def key_name(keys):
    """`"headers"["/assets/**"]`: how messages name a (nested) key."""
    return json.dumps(keys[0]) + "".join("[%s]" % json.dumps(key) for key in keys[1:])


def _describe(value):
    if isinstance(value, bool):
        return "%s (a boolean)" % ("true" if value else "false")
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "%s (a number)" % json.dumps(value)
    if isinstance(value, str):
        return "%s (a string)" % json.dumps(value)
    if isinstance(value, list):
        return "an array"
    return "an object"


class _Reader:
    """Type checks with messages that name static.json, the line, the key, and the fix."""

    def __init__(self, text):
        self.text = text

    def fail(self, keys, problem, fix):
        line = _line_of(self.text, keys)
        where = "%s line %d" % (CONFIG_NAME, line) if line else CONFIG_NAME
        raise ConfigError("%s: %s %s" % (where, problem, fix))

    def expect(self, value, kind, keys, wanted, example):
        if kind is bool:
            ok = isinstance(value, bool)
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, kind)
        if not ok:
            self.fail(keys, "%s must be %s, not %s." % (key_name(keys), wanted, _describe(value)),
                      "Write %s, or remove the key." % example)
        return value


def load(app_dir):
    """Reads APP_DIR/static.json (when present) and resolves the site root; raises ConfigError."""
    config = SiteConfig()
    path = os.path.join(app_dir, CONFIG_NAME)
    data, text = {}, ""
    if os.path.lexists(path):
        if not os.path.isfile(path):
            raise ConfigError("%s is not a regular file. Make it a JSON file, or remove it." % CONFIG_NAME)
        with open(path, "rb") as handle:
            raw = handle.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ConfigError("%s is not UTF-8 text (byte %d). Save it as UTF-8." % (CONFIG_NAME, error.start))
        if text.strip():
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                raise ConfigError("%s line %d, column %d: invalid JSON (%s). Fix the syntax; a trailing comma "
                                  "or a missing quote is the usual cause." % (CONFIG_NAME, error.lineno, error.colno, error.msg))
        if not isinstance(data, dict):
            raise ConfigError('%s: the top level must be a JSON object such as {"root": "public/"}, not %s.'
                              % (CONFIG_NAME, _describe(data)))
        _read_keys(config, data, _Reader(text))
    reader = _Reader(text)
    _resolve_root(config, app_dir, data.get("root"), reader)
    _check_targets(config, app_dir, reader)
    return config


def _read_keys(config, data, reader):
    for key, value in data.items():
        config.keys.append(key)
        if key == "root":
            reader.expect(value, str, [key], "a folder path string", '"root": "public/"')
            if not value.strip():
                reader.fail([key], '"root" is empty.', 'Write a folder such as "root": "public/", or remove the key.')
        elif key in ("clean_urls", "https_only"):
            setattr(config, key, reader.expect(value, bool, [key], "true or false", '"%s": true' % key))
        elif key == "error_page":
            config.error_page = reader.expect(value, str, [key], "a file path string", '"error_page": "404.html"').lstrip("/")
        elif key == "encoding":
            config.encoding = reader.expect(value, str, [key], "a charset name string", '"encoding": "UTF-8"')
            if not re.match(r"^[A-Za-z0-9._-]+$", value):
                reader.fail([key], '"encoding" is %s, which is not a charset name.' % json.dumps(value),
                            'Write a name such as "encoding": "UTF-8".')
        elif key == "headers":
            _read_headers(config, value, reader)
        elif key == "redirects":
            _read_redirects(config, value, reader)
        elif key == "routes":
            reader.expect(value, dict, [key], 'an object of path patterns to files', '"routes": {"/app/**": "index.html"}')
            for pattern, target in value.items():
                _check_pattern(pattern, [key, pattern], reader)
                reader.expect(target, str, [key, pattern], "a file path string", '"routes": {%s: "index.html"}' % json.dumps(pattern))
                config.routes.append((pattern, target.lstrip("/")))
        elif key in UNSUPPORTED_KEYS:
            config.warnings.append('%s: "%s" is not supported by slugc\'s static buildpack and is ignored.' % (CONFIG_NAME, key))
        else:
            config.warnings.append('%s: unknown key "%s" is ignored (supported: root, clean_urls, error_page, headers, '
                                   'redirects, routes, https_only, encoding).' % (CONFIG_NAME, key))


def _check_pattern(pattern, keys, reader):
    if not pattern.startswith("/"):
        reader.fail(keys, "the path %s must start with \"/\"." % json.dumps(pattern),
                    "Write it as %s." % json.dumps("/" + pattern))


def _read_headers(config, value, reader):
    example = '"headers": {"/assets/**": {"Cache-Control": "public, max-age=31536000"}}'
    reader.expect(value, dict, ["headers"], "an object of path patterns to header objects", example)
    for pattern, fields in value.items():
        _check_pattern(pattern, ["headers", pattern], reader)
        reader.expect(fields, dict, ["headers", pattern], "an object of header names to values",
                      '"headers": {%s: {"Cache-Control": "no-cache"}}' % json.dumps(pattern))
        for name, field in fields.items():
            keys = ["headers", pattern, name]
            if not re.match(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$", name):
                reader.fail(keys, "%s is not a valid header name." % json.dumps(name), "Use letters, digits and dashes, such as \"Cache-Control\".")
            reader.expect(field, str, keys, "a string", '%s: "value"' % json.dumps(name))
            if "\r" in field or "\n" in field:
                reader.fail(keys, "the value of %s contains a line break." % key_name(keys), "Put the value on one line.")
        config.headers.append((pattern, dict(fields)))


def _read_redirects(config, value, reader):
    example = '"redirects": {"/old": {"url": "/new", "status": 301}}'
    reader.expect(value, dict, ["redirects"], "an object of paths to {\"url\", \"status\"} objects", example)
    for source, target in value.items():
        keys = ["redirects", source]
        _check_pattern(source, keys, reader)
        reader.expect(target, dict, keys, 'an object such as {"url": "/new", "status": 301}',
                      '%s: {"url": "/new"}' % json.dumps(source))
        if "url" not in target:
            reader.fail(keys, "the redirect for %s has no \"url\"." % json.dumps(source), 'Add "url": "/new-path" (or a full https:// URL).')
        url = reader.expect(target["url"], str, keys + ["url"], "a path or URL string", '"url": "/new"')
        if not url or "\r" in url or "\n" in url:
            reader.fail(keys + ["url"], "the redirect for %s has an empty or multi-line \"url\"." % json.dumps(source),
                        'Write a path such as "url": "/new".')
        status = target.get("status", 301)
        reader.expect(status, int, keys + ["status"], "one of 301, 302, 303, 307, 308", '"status": 301')
        if status not in REDIRECT_STATUSES:
            reader.fail(keys + ["status"], "the redirect status for %s is %d." % (json.dumps(source), status),
                        "Use one of 301, 302, 303, 307, 308 (or leave it out for 301).")
        for extra in target:
            if extra not in ("url", "status"):
                config.warnings.append('%s: key "%s" in the redirect for %s is ignored.' % (CONFIG_NAME, extra, source))
        config.redirects[source] = (url, status)


def display_root(root):
    """How messages show a root: "public/", or "./" for the app folder itself."""
    return "./" if root == "." else root.rstrip("/") + "/"


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _resolve_root(config, app_dir, wanted, reader):
    app_real = os.path.realpath(app_dir)
    if wanted is not None:
        candidate = os.path.normpath(os.path.join(app_dir, wanted))
        if os.path.isabs(wanted) or not _inside(os.path.realpath(candidate), app_real):
            reader.fail(["root"], '"root" is %s, which is outside the app.' % json.dumps(wanted),
                        'Use a folder inside the app, such as "root": "public/".')
        if not os.path.isdir(candidate):
            what = "is not a folder" if os.path.lexists(candidate) else "does not exist in the app"
            reader.fail(["root"], '"root" is %s, but %s %s.' % (json.dumps(wanted), display_root(wanted), what),
                        "Build the site into that folder before compiling, or set \"root\" to the folder that holds index.html.")
        config.root = os.path.relpath(os.path.realpath(candidate), app_real)
        config.root_reason = 'set by "root" in %s' % CONFIG_NAME
    elif os.path.isdir(os.path.join(app_dir, "public_html")):
        config.root, config.root_reason = "public_html", "default: public_html/ exists"
    elif os.path.isfile(os.path.join(app_dir, "public", "index.html")):
        config.root, config.root_reason = "public", "default: public/index.html exists"
    else:
        config.root, config.root_reason = ".", "default: the app folder"


def _check_targets(config, app_dir, reader):
    """error_page and route targets must be files inside the root: better a failed build than a
    site whose every 404 or SPA route is broken."""
    root = os.path.realpath(os.path.join(app_dir, config.root))
    checks = [(["error_page"], config.error_page)] if config.error_page else []
    checks += [(["routes", pattern], target) for pattern, target in config.routes]
    for keys, target in checks:
        full = os.path.realpath(os.path.join(root, target))
        if not _inside(full, root) or not os.path.isfile(full):
            reader.fail(keys, "%s is %s, but %s%s is not a file in the site root." % (
                key_name(keys), json.dumps(target), display_root(config.root), target),
                "Add the file, or fix the path (it is relative to the site root %s)." % display_root(config.root))


def summary(config):
    """The detail lines bin/compile prints."""
    lines = ["Site root: %s (%s)" % (display_root(config.root), config.root_reason)]
    features = []
    if config.clean_urls:
        features.append("clean_urls")
    if config.https_only:
        features.append("https_only")
    if config.error_page:
        features.append("error_page %s" % config.error_page)
    for name, items in (("headers", config.headers), ("redirects", config.redirects), ("routes", config.routes)):
        if items:
            features.append("%s (%d)" % (name, len(items)))
    if features:
        lines.append("%s: %s" % (CONFIG_NAME, ", ".join(features)))
    return lines


def main(argv):
    if len(argv) != 3 or argv[1] != "--check":
        sys.stderr.write("usage: static_config.py --check APP_DIR\n")
        return 2
    try:
        config = load(argv[2])
    except ConfigError as error:
        sys.stderr.write(" !     %s\n" % error)
        return 1
    for line in summary(config):
        print("       " + line)
    for warning in config.warnings:
        print(" !     Warning: " + warning)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
