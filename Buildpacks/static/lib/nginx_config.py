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
import mime_types
import nginx_maps
import site_scan
from nginx_syntax import literal, text
from static_config import key_name

RUN = ".static/run"
ERROR_PAGE_URI = "/.static/errors/404"
BAD_REQUEST_URI = "/.static/errors/400"


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

    def __init__(self, config, scan, types, root_is_app):
        self.config = config
        self.scan = scan
        self.types = types              # extension -> content type (mime_types.table())
        self.root_is_app = root_is_app
        self.boot_values = []
        self.host_marker = None

    def boot_value(self, key, kind, template):
        """The marker for a value start.sh fills in."""
        self.boot_values.append(BootValue(key, kind, template))
        return '"@VALUE%d@"' % (len(self.boot_values) - 1)

    @property
    def etag(self):
        """Whether file responses carry the site's version as ETag: not behind basic_auth, where
        the 304 would be answered (in nginx's rewrite phase) before the password is checked."""
        return not self.config.basic_auth

    def host(self):
        """The canonical host as a quoted string: literal, or the marker start.sh fills in."""
        host = self.config.canonical_host
        if "${" not in host:
            return literal(host.lower())
        if self.host_marker is None:
            self.host_marker = self.boot_value(key_name(["canonical_host"]), "host", host)
        return self.host_marker


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
    nginx_maps.request_maps(out, site)
    out.line()
    nginx_maps.rule_maps(out, site)
    out.line()
    nginx_maps.response_maps(out, site)
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
    text_types = [kind for kind in mime_types.text_types(site.types) if kind != "text/html"]
    out.line("charset_types %s;  # and text/html, always" % " ".join(text_types))
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
    out.line("gzip_types %s;" % " ".join(mime_types.compressible_types(site.types)))
    out.line("log_format slugc_router escape=default")
    out.line("    'at=$static_log_level method=$request_method path=\"$static_log_path\" host=$http_host '")
    out.line("    'fwd=\"$static_forwarded_for\" status=$status bytes=$body_bytes_sent service=${static_service_ms}ms '")
    out.line("    'protocol=$static_protocol';")
    out.line("access_log %s/access.log slugc_router;  # a FIFO start.sh copies to stdout" % RUN)
    out.line("# A literal \"$\" for values from static.json, where nginx would expand variables.")
    out.line('geo $static_dollar { default "$"; }')


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
        host = site.host()[1:-1] if config.canonical_host else "$http_host"
        out.line('if ($static_https = redirect) { return 301 "https://%s$request_uri"; }' % host)
        out.line('if ($static_https = missing-host) { return 400 "Bad Request: missing or invalid Host header\\n"; }')
    if config.canonical_host:
        host = site.host()[1:-1]
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
    marker = site.boot_value(key_name(["proxies", location, "origin"]), "origin", origin)
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
