"""Reads and checks static.json (heroku-buildpack-static's format) for the static buildpack.

Every value that ends up in nginx's configuration is checked here, so nothing a user writes can
change the configuration's structure: control characters are refused everywhere, header names
must be HTTP tokens, URLs may not hold characters a URL cannot hold (a space, a quote, a
backslash, a brace other than ${NAME}), and the rest is quoted by nginx_syntax. A mistake fails
the build with the line, the key and the fix, instead of failing at boot.
"""
import json
import os
import re

import messages
from messages import CONFIG_NAME

REDIRECT_STATUSES = (301, 302, 303, 307, 308)
# heroku-buildpack-static keys slugc does not implement: accepted with a warning so an app
# moved from Heroku still builds.
UNSUPPORTED_KEYS = ("host", "logging")
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
HOST_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
ORIGIN = re.compile(r"^https?://(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::[0-9]{1,5})?(?:/[^\s\"\\{}$?#]*)?$")
DEFAULT_HTPASSWD = ".htpasswd"
# crypt(3) formats libxcrypt checks (bcrypt, sha512/256-crypt, yescrypt, md5-crypt, DES) and the ones
# nginx checks itself ($apr1$, {SHA}, {SSHA}, {PLAIN}).
PASSWORD_HASH = re.compile(r"^(?:\$(?:2[abxy]|1|5|6|7|y|gy|apr1)\$|\{(?:SHA|SSHA|PLAIN)\}|[./0-9A-Za-z]{13}$)")


class ConfigError(Exception):
    """A problem with static.json or the site root; the message is a full sentence."""


class SiteConfig:
    """What static.json asks for, with defaults filled in."""

    def __init__(self):
        self.root = "."                 # relative to the app folder
        self.root_reason = ""
        self.clean_urls = False
        self.error_page = None          # relative to the root
        self.https_only = False
        self.encoding = "UTF-8"
        self.headers = []               # [(glob, [(name, value)])], in file order
        self.redirects = {}             # path -> (url, status); url may hold ${NAME}
        self.routes = []                # [(glob, target relative to root)], in file order
        self.proxies = []               # [(folder ending in "/", origin, key as written)]; origin may hold ${NAME}
        self.basic_auth = False
        self.htpasswd = None            # relative to the app, when basic_auth is on
        self.canonical_host = None      # may hold ${NAME}
        self.warnings = []
        self.keys = []                  # the keys static.json set, for the compile summary
        self.text = ""                  # static.json as read ("" without one)


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


def variables(template):
    """The config var names a ${NAME} template uses, in order."""
    return VARIABLE.findall(template)


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
    """Checks with messages that name static.json, the line, the key, and the fix."""

    def __init__(self, text):
        self.text = text

    def fail(self, keys, message):
        line = _line_of(self.text, keys)
        where = "%s line %d" % (CONFIG_NAME, line) if line else CONFIG_NAME
        raise ConfigError("%s: %s" % (where, message))

    def expect(self, value, kind, keys, wanted, example):
        if kind is bool:
            ok = isinstance(value, bool)
        elif kind is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, kind)
        if not ok:
            self.fail(keys, messages.wrong_type(key_name(keys), wanted, _describe(value), example))
        return value

    def plain_text(self, value, keys, allow_tab=False):
        """No control characters: a line break would end an nginx directive, a NUL a C string."""
        for character in value:
            if (ord(character) < 32 and not (allow_tab and character == "\t")) or ord(character) == 127:
                self.fail(keys, messages.control_character(key_name(keys), character))
        return value

    def url_text(self, value, keys):
        """A URL (which may hold ${NAME}): nothing a URL cannot hold, so it can never close nginx's quoting."""
        self.plain_text(value, keys)
        rest = VARIABLE.sub("", value)
        if "${" in rest:
            self.fail(keys, messages.variable_malformed(key_name(keys)))
        for character in rest:
            if character in messages.URL_CHARACTERS:
                self.fail(keys, messages.url_character(key_name(keys), character))
        return value


def load(app_dir):
    """Reads APP_DIR/static.json (when present) and resolves the site root; raises ConfigError."""
    config = SiteConfig()
    path = os.path.join(app_dir, CONFIG_NAME)
    data, text = {}, ""
    if os.path.lexists(path):
        # A link out of the app would read the build machine's file into the site's configuration.
        if os.path.islink(path) and not inside(os.path.realpath(path), os.path.realpath(app_dir)):
            raise ConfigError(messages.link_outside(os.readlink(path)))
        if not os.path.isfile(path):
            raise ConfigError(messages.not_a_regular_file())
        with open(path, "rb") as handle:
            raw = handle.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ConfigError(messages.not_utf8(error.start))
        if text.strip():
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                raise ConfigError(messages.invalid_json(error.lineno, error.colno, error.msg))
        if not isinstance(data, dict):
            raise ConfigError(messages.top_level_not_object(_describe(data)))
        config.text = text
        _read_keys(config, data, _Reader(text))
    reader = _Reader(text)
    _resolve_root(config, app_dir, data.get("root"), reader)
    _check_targets(config, app_dir, reader)
    _read_basic_auth(config, app_dir, data, reader)
    return config


def _read_keys(config, data, reader):
    for key, value in data.items():
        config.keys.append(key)
        if key == "root":
            reader.plain_text(reader.expect(value, str, [key], "a folder path string", '"root": "public/"'), [key])
            if not value.strip():
                reader.fail([key], messages.root_empty())
        elif key in ("clean_urls", "https_only"):
            setattr(config, key, reader.expect(value, bool, [key], "true or false", '"%s": true' % key))
        elif key == "error_page":
            page = reader.expect(value, str, [key], "a file path string", '"error_page": "404.html"')
            config.error_page = reader.plain_text(page, [key]).lstrip("/")
        elif key == "encoding":
            config.encoding = reader.expect(value, str, [key], "a charset name string", '"encoding": "UTF-8"')
            if not re.match(r"^[A-Za-z0-9._-]+$", value):
                reader.fail([key], messages.encoding_not_charset(value))
        elif key == "headers":
            _read_headers(config, value, reader)
        elif key == "redirects":
            _read_redirects(config, value, reader)
        elif key == "routes":
            reader.expect(value, dict, [key], 'an object of path patterns to files', '"routes": {"/app/**": "index.html"}')
            for pattern, target in value.items():
                _check_pattern(pattern, [key, pattern], reader)
                reader.expect(target, str, [key, pattern], "a file path string", '"routes": {%s: "index.html"}' % json.dumps(pattern))
                config.routes.append((pattern, reader.plain_text(target, [key, pattern]).lstrip("/")))
        elif key == "proxies":
            _read_proxies(config, value, reader)
        elif key == "basic_auth":
            config.basic_auth = reader.expect(value, bool, [key], "true or false", '"basic_auth": true')
        elif key == "basic_auth_htpasswd_path":
            reader.expect(value, str, [key], "a file path string", '"basic_auth_htpasswd_path": ".htpasswd"')
            reader.plain_text(value, [key])
        elif key == "canonical_host":
            host = reader.plain_text(reader.expect(value, str, [key], "a host name string",
                                                   '"canonical_host": "www.example.com"'), [key])
            if not HOST_NAME.match(VARIABLE.sub("0", host)) or "${" in VARIABLE.sub("", host):
                reader.fail([key], messages.canonical_host_invalid(host))
            config.canonical_host = host
        elif key in UNSUPPORTED_KEYS:
            config.warnings.append(messages.unsupported_key(key))
        else:
            config.warnings.append(messages.unknown_key(key))


def _check_pattern(pattern, keys, reader):
    if not pattern.startswith("/"):
        reader.fail(keys, messages.path_without_slash(pattern))
    reader.plain_text(pattern, keys)


def _read_headers(config, value, reader):
    example = '"headers": {"/assets/**": {"Cache-Control": "public, max-age=31536000"}}'
    reader.expect(value, dict, ["headers"], "an object of path patterns to header objects", example)
    for pattern, fields in value.items():
        _check_pattern(pattern, ["headers", pattern], reader)
        reader.expect(fields, dict, ["headers", pattern], "an object of header names to values",
                      '"headers": {%s: {"Cache-Control": "no-cache"}}' % json.dumps(pattern))
        for name, field in fields.items():
            keys = ["headers", pattern, name]
            if not HEADER_NAME.match(name):
                reader.fail(keys, messages.header_name_invalid(name))
            reader.expect(field, str, keys, "a string", '%s: "value"' % json.dumps(name))
            if "\r" in field or "\n" in field:
                reader.fail(keys, messages.line_break(key_name(keys)))
            reader.plain_text(field, keys, allow_tab=True)
        config.headers.append((pattern, list(fields.items())))


def _read_redirects(config, value, reader):
    example = '"redirects": {"/old": {"url": "/new", "status": 301}}'
    reader.expect(value, dict, ["redirects"], "an object of paths to {\"url\", \"status\"} objects", example)
    for source, target in value.items():
        keys = ["redirects", source]
        _check_pattern(source, keys, reader)
        reader.expect(target, dict, keys, 'an object such as {"url": "/new", "status": 301}',
                      '%s: {"url": "/new"}' % json.dumps(source))
        if "url" not in target:
            reader.fail(keys, messages.redirect_without_url(source))
        url = reader.expect(target["url"], str, keys + ["url"], "a path or URL string", '"url": "/new"')
        if not url or "\r" in url or "\n" in url:
            reader.fail(keys + ["url"], messages.redirect_url_empty(source))
        reader.url_text(url, keys + ["url"])
        status = target.get("status", 301)
        reader.expect(status, int, keys + ["status"], "one of 301, 302, 303, 307, 308", '"status": 301')
        if status not in REDIRECT_STATUSES:
            reader.fail(keys + ["status"], messages.redirect_status(source, status))
        for extra in target:
            if extra not in ("url", "status"):
                config.warnings.append(messages.redirect_extra_key(extra, source))
        config.redirects[source] = (url, status)


def _read_proxies(config, value, reader):
    example = '"proxies": {"/api/": {%s}}' % messages.EXAMPLE_ORIGIN
    reader.expect(value, dict, ["proxies"], 'an object of paths to {"origin": URL} objects', example)
    seen = {}
    for location, target in value.items():
        keys = ["proxies", location]
        _check_pattern(location, keys, reader)
        folder = location if location.endswith("/") else location + "/"
        if folder == "/":
            reader.fail(keys, messages.proxy_whole_site(location))
        if folder in seen:
            reader.fail(keys, messages.proxy_duplicate(seen[folder], location))
        seen[folder] = location
        reader.expect(target, dict, keys, 'an object such as {%s}' % messages.EXAMPLE_ORIGIN,
                      '%s: {%s}' % (json.dumps(location), messages.EXAMPLE_ORIGIN))
        if "origin" not in target:
            reader.fail(keys, messages.proxy_without_origin(location))
        origin = reader.expect(target["origin"], str, keys + ["origin"], "a URL string", messages.EXAMPLE_ORIGIN)
        reader.url_text(origin, keys + ["origin"])
        # A template that starts with ${NAME} gets its scheme at boot; start.sh checks the result.
        if not origin.startswith("${") and not ORIGIN.match(VARIABLE.sub("0", origin)):
            reader.fail(keys + ["origin"], messages.proxy_origin_invalid(key_name(keys + ["origin"]), origin))
        for extra in target:
            if extra != "origin":
                config.warnings.append(messages.proxy_extra_key(extra, location))
        config.proxies.append((folder, origin, location))


def display_root(root):
    """How messages show a root: "public/", or "./" for the app folder itself."""
    return "./" if root == "." else root.rstrip("/") + "/"


def inside(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _resolve_root(config, app_dir, wanted, reader):
    app_real = os.path.realpath(app_dir)
    if wanted is not None:
        candidate = os.path.normpath(os.path.join(app_dir, wanted))
        if os.path.isabs(wanted) or not inside(os.path.realpath(candidate), app_real):
            reader.fail(["root"], messages.root_outside(wanted))
        if not os.path.isdir(candidate):
            what = "is not a folder" if os.path.lexists(candidate) else "does not exist in the app"
            reader.fail(["root"], messages.root_missing(wanted, display_root(wanted), what))
        config.root = os.path.relpath(os.path.realpath(candidate), app_real)
        config.root_reason = messages.ROOT_FROM_KEY
    elif os.path.isdir(os.path.join(app_dir, "public_html")):
        config.root, config.root_reason = "public_html", messages.ROOT_PUBLIC_HTML
    elif os.path.isfile(os.path.join(app_dir, "public", "index.html")):
        config.root, config.root_reason = "public", messages.ROOT_PUBLIC
    else:
        config.root, config.root_reason = ".", messages.ROOT_APP


def _check_targets(config, app_dir, reader):
    """error_page and route targets must be files inside the root: better a failed build than a
    site whose every 404 or SPA route is broken."""
    root = os.path.realpath(os.path.join(app_dir, config.root))
    checks = [(["error_page"], config.error_page)] if config.error_page else []
    checks += [(["routes", pattern], target) for pattern, target in config.routes]
    for keys, target in checks:
        full = os.path.realpath(os.path.join(root, target))
        if not inside(full, root) or not os.path.isfile(full):
            reader.fail(keys, messages.target_missing(key_name(keys), target, display_root(config.root)))


def _read_basic_auth(config, app_dir, data, reader):
    """The password file: inside the app, never served, and every line a user and a hash nginx can check."""
    named = data.get("basic_auth_htpasswd_path")
    if not config.basic_auth:
        if named is not None:
            config.warnings.append(messages.htpasswd_without_basic_auth())
        return
    keys = ["basic_auth_htpasswd_path"] if named is not None else ["basic_auth"]
    relative = os.path.normpath(named.lstrip("/") if named is not None else DEFAULT_HTPASSWD)
    app_real = os.path.realpath(app_dir)
    full = os.path.realpath(os.path.join(app_dir, relative))
    if relative.startswith("..") or not inside(full, app_real):
        reader.fail(keys, messages.htpasswd_outside(named))
    if not os.path.isfile(full):
        reader.fail(keys, messages.htpasswd_missing(named if named is not None else relative, named is not None))
    root_real = os.path.realpath(os.path.join(app_dir, config.root))
    if inside(full, root_real):
        served = os.path.relpath(full, root_real).split(os.sep)
        if not any(part.startswith(".") for part in served):
            reader.fail(keys, messages.htpasswd_served(named if named is not None else relative, display_root(config.root)))
    shown = os.path.relpath(full, app_real)
    users = 0
    with open(full, "rb") as handle:
        lines = handle.read().decode("utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        user, colon, rest = line.partition(":")
        password = rest.split(":", 1)[0]
        if not colon or not user or not password:
            raise ConfigError(messages.htpasswd_line_invalid(shown, number))
        if not PASSWORD_HASH.match(password):
            raise ConfigError(messages.htpasswd_hash_unknown(shown, number, user))
        users += 1
    if users == 0:
        raise ConfigError(messages.htpasswd_empty(shown))
    config.htpasswd = shown


def summary(config):
    """The detail lines bin/compile prints."""
    lines = [messages.site_root(display_root(config.root), config.root_reason)]
    features = []
    if config.clean_urls:
        features.append("clean_urls")
    if config.https_only:
        features.append("https_only")
    if config.error_page:
        features.append("error_page %s" % config.error_page)
    for name, items in (("headers", config.headers), ("redirects", config.redirects), ("routes", config.routes),
                        ("proxies", config.proxies)):
        if items:
            features.append("%s (%d)" % (name, len(items)))
    if config.basic_auth:
        features.append("basic_auth %s" % config.htpasswd)
    if config.canonical_host:
        features.append("canonical_host %s" % config.canonical_host)
    if features:
        lines.append(messages.features(features))
    return lines
