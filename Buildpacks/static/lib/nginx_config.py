"""static.json as an nginx configuration, written once at compile time.

What only the dyno knows is left as markers that start.sh fills in at boot: @PORT@, @USER@ (a
`user` line when nginx starts as root) and @VALUE<n>@ for each static.json value that names
${NAME} config vars (and for every proxy origin, so nothing is resolved at build time). Every
marker sits where start.sh's checked value can go as it is, inside double quotes.

Requests are answered in heroku-buildpack-static's order: HTTPS redirect → files → clean URLs →
redirects → custom routes → 404 (REFERENCE.md), with the rules matched against the request's
own path even after nginx has moved on to another file (an error page, a route's target).
Paths are relative to the app folder (nginx -p) or, for includes, to .static/run, so nothing in
the slug names the folder it was built in.
"""
import json

import nginx_syntax as syntax
import site_scan
from nginx_syntax import literal, map_regex, text

RUN = ".static/run"
ERROR_PAGE_URI = "/.static/errors/404"
BAD_REQUEST_URI = "/.static/errors/400"
FINGERPRINT = r"\.[0-9a-fA-F]{8,}\.[^/]+$"
IMMUTABLE = "public, max-age=31536000, immutable"


class BootValue:
    """A static.json value start.sh completes from the environment: `template` holds ${NAME}s."""

    def __init__(self, key, kind, template):
        self.key = key          # how messages name it: "redirects"["/blog"]["url"]
        self.kind = kind        # url, origin or host: what start.sh checks the result against
        self.template = template


class Writer:
    def __init__(self):
        self.lines = []
        self.depth = 0

    def line(self, text=""):
        self.lines.append(("    " * self.depth + text) if text else "")

    def block(self, head):
        self.line(head + " {")
        self.depth += 1

    def end(self):
        self.depth -= 1
        self.line("}")

    def map(self, source, variable, entries, default='""', volatile=False):
        self.block("map %s $%s" % (source, variable))
        if volatile:
            self.line("volatile;")
        for key, value in entries:
            self.line("%s %s;" % (key, value))
        self.line("default %s;" % default)
        self.end()


class Site:
    """Everything the configuration is made from."""

    def __init__(self, config, scan, types, text_types, compressible, root_is_app):
        self.config = config
        self.scan = scan
        self.types = types
        self.text_types = text_types
        self.compressible = compressible
        self.root_is_app = root_is_app
        self.boot_values = []
        self.host_marker = None

    def boot_value(self, key, kind, template):
        """The marker for a value start.sh fills in."""
        self.boot_values.append(BootValue(key, kind, template))
        return '"@VALUE%d@"' % (len(self.boot_values) - 1)

    @property
    def etag(self):
        return not self.config.basic_auth


def key_name(*keys):
    return json.dumps(keys[0]) + "".join("[%s]" % json.dumps(key) for key in keys[1:])


def render(site):
    """(the configuration template, [BootValue])."""
    out = Writer()
    config = site.config
    out.lines += [
        "# Written by slugc's static buildpack from static.json. The web process (.static/start.sh) fills in",
        "# the port, the user and the values marked with @, writes .static/run/nginx.conf and runs nginx with",
        "# the app folder as its prefix (-p): every relative path below starts there.",
        "",
    ]
    out.line("@USER@")
    out.line("daemon off;")
    out.line("worker_processes auto;")
    out.line("pid %s/nginx.pid;" % RUN)
    out.line("lock_file %s/nginx.lock;" % RUN)
    out.line("error_log stderr warn;")
    out.line("pcre_jit on;")
    out.line("# Heroku sends SIGKILL 30 s after SIGTERM: a graceful stop cuts what is still open after 25 s.")
    out.line("worker_shutdown_timeout 25s;")
    out.line()
    out.block("events")
    out.line("worker_connections 1024;")
    out.end()
    out.line()
    out.block("http")
    _http_settings(out, site)
    out.line()
    _request_maps(out, site)
    out.line()
    _rule_maps(out, site)
    out.line()
    _response_maps(out, site)
    out.line()
    _server(out, site)
    out.end()
    return "\n".join(out.lines) + "\n", site.boot_values


def _http_settings(out, site):
    # Includes are relative to the configuration's folder, .static/run.
    out.line("include ../mime.types;")
    out.line("default_type application/octet-stream;")
    out.line("types_hash_max_size 4096;")
    out.line("types_hash_bucket_size 128;")
    out.line("map_hash_bucket_size 256;  # room for a canonical host name of any length")
    out.line("charset %s;" % site.config.encoding.lower())
    out.line("charset_types %s;  # and text/html, always" % " ".join(t for t in site.text_types if t != "text/html"))
    out.line("server_tokens off;")
    out.line("sendfile on;")
    out.line("tcp_nopush on;")
    out.line("keepalive_timeout 60s;")
    out.line("# The slug never changes while it runs: file lookups (misses too) can be remembered.")
    out.line("open_file_cache max=4096 inactive=60s;")
    out.line("open_file_cache_errors on;")
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        out.line("%s_temp_path %s/%s;" % (name, RUN, name))
    out.line("# Every file has the slug's fixed mtime: Last-Modified and nginx's mtime ETag would be")
    out.line("# the same before and after a deploy. The ETag is the site's version instead.")
    out.line("etag off;")
    out.line("if_modified_since off;")
    out.line("absolute_redirect off;")
    out.line("disable_symlinks if_not_owner from=$document_root;")
    out.line("gzip on;")
    out.line("gzip_vary on;")
    out.line("# Heroku's router adds Via to every request, which would otherwise turn gzip off.")
    out.line("gzip_proxied any;")
    out.line("gzip_comp_level 6;")
    out.line("gzip_min_length 256;")
    out.line("gzip_http_version 1.0;  # HTTP/1.0 clients too (the body then ends with the connection)")
    out.line("gzip_types %s;" % " ".join(site.compressible))
    out.line("log_format slugc_router escape=default")
    out.line("    'at=$static_log_level method=$request_method path=\"$static_log_path\" host=$http_host '")
    out.line("    'fwd=\"$static_forwarded_for\" status=$status bytes=$body_bytes_sent service=${static_service_ms}ms '")
    out.line("    'protocol=$static_protocol';")
    out.line("access_log %s/access.log slugc_router;  # a FIFO start.sh copies to stdout" % RUN)
    out.line("# A literal \"$\" for values from static.json, where nginx would expand variables.")
    out.line('geo $static_dollar { default "$"; }')


def _request_maps(out, site):
    config = site.config
    out.line("# The request's own path, kept from before any internal redirect (an error page, a route's")
    out.line("# target): header, redirect, route and proxy rules match it, as static.json means.")
    out.map("$uri", "static_path", [], default="$uri")
    out.map("$http_x_forwarded_proto", "static_protocol", [('"~^\\\\s*(?<static_proto>[^,\\\\s]+)"', "$static_proto")],
            default="http")
    out.map("$http_x_forwarded_for", "static_forwarded_for", [('""', "$remote_addr")], default="$http_x_forwarded_for")
    out.map("$status", "static_log_level", [('"~^5"', "error")], default="info")
    out.line("# A request line nginx refused has no $request_uri: the log shows what was asked for.")
    out.map("$request_uri", "static_log_path", [('""', "$static_request_target")], default="$request_uri")
    out.map("$request", "static_request_target", [('"~^\\S+\\s+(?<static_target>\\S+)"', "$static_target")], default="-")
    out.map("$request_time", "static_service_ms", [
        ('"~^0\\\\.0{0,2}(?<static_ms>[0-9]+)$"', "$static_ms"),
        ('"~^(?<static_s>[1-9][0-9]*)\\\\.(?<static_ms>[0-9]{3})$"', "${static_s}${static_ms}"),
    ], default="0")
    proxied = [(map_regex("^" + syntax.regex_escape(folder)), "1") for folder, _, _ in config.proxies]
    out.map("$static_path", "static_proxied", proxied, default="0")
    out.line("# Only GET and HEAD reach the site's files; the proxies pass every method on.")
    out.map('"$static_proxied:$request_method"', "static_method_refused",
            [('"~^1:"', "0"), ('"~^0:(GET|HEAD)$"', "0")], default="1")
    out.line("# A request line nginx refused for a path that climbs out of the root answers 404, as a miss.")
    out.map("$request", "static_bad_path", [('"~*(%2e|%00|/\\\\.\\\\.)"', "1")], default="0")
    if config.https_only:
        out.map("$http_x_forwarded_proto", "static_forwarded_http", [('"~*^\\\\s*http\\\\s*(,|$)"', "1")], default="0")
        out.map('"$static_forwarded_http:$http_host"', "static_https", [('"~^0:"', '""'), ('"1:"', "missing-host")],
                default="redirect")
    if config.canonical_host:
        host = _host_value(site)
        out.map("$host", "static_noncanonical", [(host, '""')], default="1")
        out.map("$static_protocol", "static_scheme", [('"~*^https$"', "https")], default="http")


def _host_value(site):
    """The canonical host as a quoted string: literal, or a marker start.sh fills in."""
    host = site.config.canonical_host
    if "${" in host:
        if site.host_marker is None:
            site.host_marker = site.boot_value(key_name("canonical_host"), "host", host)
        return site.host_marker
    return literal(host.lower())


def _rule_maps(out, site):
    config, blocked = site.config, site.scan.blocked
    out.line("# Files to try for the path being served ($uri). Symlinks compile found pointing out of the")
    out.line("# root or at hidden files are never tried, under any name that reaches them.")
    refuse = [(map_regex(syntax.prefix_regex(path)), '""') for path in blocked]
    out.map("$uri", "static_file", refuse, default="$uri", volatile=True)
    index_refused = refuse + [(map_regex(syntax.exact_regex(path[:-len("index.html")])), '""')
                              for path in blocked if path.endswith("/index.html")]
    out.map("$uri", "static_index", index_refused + [('"~/$"', '"${uri}index.html"')], volatile=True)
    if config.clean_urls:
        clean_refused = [(map_regex("^" + syntax.regex_escape(path) + "/"), '""') for path in blocked]
        clean_refused += [(map_regex(syntax.exact_regex(path[:-len(".html")])), '""')
                          for path in blocked if path.endswith(".html")]
        out.map("$uri", "static_clean", clean_refused + [('"~[^/]$"', '"${uri}.html"')], volatile=True)
    out.line("# A folder with an index.html, asked for without its slash, redirects to it (query kept).")
    out.map("$uri", "static_folder_index", [('"~/$"', '""')], default='"${uri}/index.html"', volatile=True)
    out.map("$request_uri", "static_raw_path", [('"~^/+(?<static_raw>[^?]*)"', '"/$static_raw"')], default='"/"')
    if config.redirects:
        statuses, urls = [], []
        for source, (url, status) in config.redirects.items():
            key = map_regex(syntax.exact_regex(source))
            statuses.append((key, str(status)))
            urls.append((key, site.boot_value(key_name("redirects", source, "url"), "url", url) if "${" in url
                         else text(url)))
        out.map("$static_path", "static_redirect_status", statuses)
        out.map("$static_path", "static_redirect_url", urls)
    if config.routes:
        out.map("$static_path", "static_route",
                [(map_regex(syntax.glob_regex(pattern)), text("/" + target)) for pattern, target in config.routes])


def _response_maps(out, site):
    config = site.config
    out.line("# static.json \"headers\": one variable per header of each rule, empty unless the rule matches.")
    cache_control = []
    for number, (pattern, fields) in enumerate(config.headers):
        for field_number, (name, value) in enumerate(fields):
            variable = "static_header_%d_%d" % (number, field_number)
            out.map("$static_path", variable, [(map_regex(syntax.glob_regex(pattern)), text(value))])
            if name.lower() == "cache-control":
                cache_control.append("$" + variable)
    out.line("# Fingerprinted files (name.0123abcd.ext) never change: cache them for a year, unless a")
    out.line("# \"headers\" rule already says how.")
    out.map("$uri", "static_fingerprinted", [(map_regex(FINGERPRINT), "1")], default="0", volatile=True)
    out.map('"$static_fingerprinted:$static_proxied:%s"' % "".join(cache_control), "static_cache_control",
            [('"1:0:"', literal(IMMUTABLE))])
    if site.etag:
        tag = '"%s"' % site.scan.version
        out.map('"$status:$static_proxied"', "static_etag", [('"~^(200|206|304):0$"', literal(tag))])
        out.map("$http_if_none_match", "static_not_modified",
                [(map_regex('(^|[\\s,])(W/)?"%s"\\s*(,|$)' % site.scan.version), "1")], default="0")
    out.map("$status", "static_allow", [("405", '"GET, HEAD"')])


def _server(out, site):
    config = site.config
    out.block("server")
    out.line("listen 0.0.0.0:@PORT@ default_server reuseport;")
    out.line("root %s;" % text(config.root))
    if config.basic_auth:
        out.line('auth_basic "Restricted";')
        out.line("auth_basic_user_file %s;" % text("../../" + config.htpasswd))  # relative to .static/run
    out.line("error_page 404 %s;" % ERROR_PAGE_URI)
    out.line("error_page 403 =404 %s;" % ERROR_PAGE_URI)
    out.line("error_page 400 = %s;" % BAD_REQUEST_URI)
    out.line("# The 404 a refused request line turns into gets the error page too.")
    out.line("recursive_error_pages on;")
    out.line("set $static_request_path $static_path;  # fixes the request's path before any internal redirect")
    for number, (pattern, fields) in enumerate(config.headers):
        for field_number, (name, _) in enumerate(fields):
            out.line("add_header %s $static_header_%d_%d always;" % (literal(name), number, field_number))
    out.line("add_header Cache-Control $static_cache_control;")
    if site.etag:
        out.line("add_header ETag $static_etag;")
    out.line('add_header Last-Modified "";')
    out.line("add_header Allow $static_allow always;")
    out.line()
    out.line("if ($static_method_refused) { return 405; }")
    if config.https_only:
        host = _host_value(site)[1:-1] if config.canonical_host else "$http_host"
        out.line('if ($static_https = redirect) { return 301 "https://%s$request_uri"; }' % host)
        out.line('if ($static_https = missing-host) { return 400 "Bad Request: missing or invalid Host header\\n"; }')
    if config.canonical_host:
        host = _host_value(site)[1:-1]
        out.line('if ($static_noncanonical) { return 301 "$static_scheme://%s$request_uri"; }' % host)
    out.line()
    out.block("location /")
    if site.etag:
        out.line("if ($static_not_modified) { return 304; }")
    out.line('if (-f $document_root$static_folder_index) { return 301 "$static_raw_path/$is_args$args"; }')
    clean = " $static_clean" if config.clean_urls else ""
    out.line("try_files $static_file $static_index%s @static_rules;" % clean)
    out.end()
    out.block("location @static_rules")
    for status in sorted({status for _, status in config.redirects.values()}):
        out.line("if ($static_redirect_status = %d) { return %d $static_redirect_url; }" % (status, status))
    out.line("try_files $static_route =404;" if config.routes else "return 404;")
    out.end()
    out.line("# Hidden files and folders (.env, .git, .static, .profile.d) are never served.")
    out.line('location ~ "/\\." { return 404; }')
    if site.root_is_app:
        for name in site_scan.BUILD_FILES:
            out.line("location = /%s { return 404; }" % name)
    out.block("location = %s" % ERROR_PAGE_URI)
    out.line("internal;")
    if config.error_page:
        out.line("default_type %s;" % _type_of(site, config.error_page))
        out.line("alias %s;" % text(_join(config.root, config.error_page)))
    else:
        out.line("default_type text/html;")
        out.line("alias .static/errors/404.html;")
    out.end()
    out.block("location = %s" % BAD_REQUEST_URI)
    out.line("internal;")
    out.line("default_type text/plain;")
    out.line("if ($static_bad_path) { return 404; }")
    out.line('return 400 "Bad Request\\n";')
    out.end()
    for folder, origin, location in config.proxies:
        _proxy(out, site, folder, origin, location)
    out.end()


def _proxy(out, site, folder, origin, location):
    out.block("location ^~ %s" % literal(folder))
    out.line("charset off;  # the origin's responses pass as they are")
    marker = site.boot_value(key_name("proxies", location, "origin"), "origin", origin)
    out.line("proxy_pass %s;" % marker)
    out.line("proxy_http_version 1.1;")
    out.line("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;")
    out.line("proxy_set_header X-Forwarded-Proto $static_protocol;")
    out.line("proxy_set_header X-Forwarded-Host $http_host;")
    if site.config.basic_auth:
        out.line('proxy_set_header Authorization "";  # the site\'s password is not the origin\'s business')
    out.line("proxy_ssl_server_name on;")
    out.line("proxy_ssl_verify on;")
    out.line("proxy_ssl_verify_depth 4;")
    out.line("proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;")
    out.end()


def _join(root, relative):
    return relative if root == "." else root.rstrip("/") + "/" + relative


def _type_of(site, path):
    extension = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return site.types.get(extension, "application/octet-stream")
