"""The maps that carry static.json's rules into nginx, one variable each.

nginx picks one location per request, but static.json's rules overlap: every matching "headers"
rule adds its headers, redirects and routes apply only after the files, and all of them match
the path the browser asked for. So each rule is a map from the request's own path
($static_path, fixed before any internal redirect) to a value that is empty when the rule does
not apply; the server block then uses those variables (nginx_config). Regular expressions are
case-sensitive PCRE (nginx_syntax); a map's plain string keys would ignore case.
"""
import nginx_syntax as syntax
from nginx_syntax import literal, map_regex, text
from static_config import key_name

FINGERPRINT = r"\.[0-9a-fA-F]{8,}\.[^/]+$"
IMMUTABLE = "public, max-age=31536000, immutable"


def request_maps(out, site):
    """What the request brings: its path, the router's headers, the log's fields, the method."""
    config = site.config
    out.line("# The request's own path, kept from before any internal redirect (an error page, a route's")
    out.line("# target): header, redirect, route and proxy rules match it, as static.json means.")
    out.map("$uri", "static_path", [], default="$uri")
    out.map("$http_x_forwarded_proto", "static_protocol", [(map_regex(r"^\s*(?<static_proto>[^,\s]+)"), "$static_proto")],
            default="http")
    out.map("$http_x_forwarded_for", "static_forwarded_for", [('""', "$remote_addr")], default="$http_x_forwarded_for")
    out.map("$status", "static_log_level", [(map_regex("^5"), "error")], default="info")
    out.line("# A request line nginx refused has no $request_uri: the log shows what was asked for.")
    out.map("$request_uri", "static_log_path", [('""', "$static_request_target")], default="$request_uri")
    out.map("$request", "static_request_target", [(map_regex(r"^\S+\s+(?<static_target>\S+)"), "$static_target")], default="-")
    out.map("$request_time", "static_service_ms", [
        (map_regex(r"^0\.0{0,2}(?<static_ms>[0-9]+)$"), "$static_ms"),
        (map_regex(r"^(?<static_s>[1-9][0-9]*)\.(?<static_ms>[0-9]{3})$"), "${static_s}${static_ms}"),
    ], default="0")
    proxied = [(map_regex("^" + syntax.regex_escape(folder)), "1") for folder, _, _ in config.proxies]
    out.map("$static_path", "static_proxied", proxied, default="0")
    out.line("# Only GET and HEAD reach the site's files; the proxies pass every method on.")
    out.map('"$static_proxied:$request_method"', "static_method_refused",
            [(map_regex("^1:"), "0"), (map_regex("^0:(GET|HEAD)$"), "0")], default="1")
    out.line("# A request line nginx refused for a path that climbs out of the root answers 404, as a miss.")
    out.map("$request", "static_bad_path", [(map_regex(r"(%2[eE]|%00|/\.\.)"), "1")], default="0")
    if config.https_only:
        out.map("$http_x_forwarded_proto", "static_forwarded_http", [(map_regex(r"^\s*[hH][tT][tT][pP]\s*(,|$)"), "1")], default="0")
        out.map('"$static_forwarded_http:$http_host"', "static_https", [(map_regex("^0:"), '""'), ('"1:"', "missing-host")],
                default="redirect")
    if config.canonical_host:
        host = site.host()
        out.map("$host", "static_noncanonical", [(host, '""')], default="1")
        out.map("$static_protocol", "static_scheme", [(map_regex("^[hH][tT][tT][pP][sS]$"), "https")], default="http")


def rule_maps(out, site):
    """The files to try, and static.json's redirects and routes."""
    config, blocked = site.config, site.scan.blocked
    out.line("# Files to try for the path being served ($uri). Symlinks compile found pointing out of the")
    out.line("# root or at hidden files are never tried, under any name that reaches them.")
    refuse = [(map_regex(syntax.prefix_regex(path)), '""') for path in blocked]
    out.map("$uri", "static_file", refuse, default="$uri", volatile=True)
    index_refused = refuse + [(map_regex(syntax.exact_regex(path[:-len("index.html")])), '""')
                              for path in blocked if path.endswith("/index.html")]
    out.map("$uri", "static_index", index_refused + [(map_regex("/$"), '"${uri}index.html"')], volatile=True)
    if config.clean_urls:
        clean_refused = [(map_regex("^" + syntax.regex_escape(path) + "/"), '""') for path in blocked]
        clean_refused += [(map_regex(syntax.exact_regex(path[:-len(".html")])), '""')
                          for path in blocked if path.endswith(".html")]
        out.map("$uri", "static_clean", clean_refused + [(map_regex("[^/]$"), '"${uri}.html"')], volatile=True)
    out.line("# A folder with an index.html, asked for without its slash, redirects to it (query kept).")
    out.map("$uri", "static_folder_index", [(map_regex("/$"), '""')], default='"${uri}/index.html"', volatile=True)
    out.map("$request_uri", "static_raw_path", [(map_regex("^/+(?<static_raw>[^?]*)"), '"/$static_raw"')], default='"/"')
    if config.redirects:
        statuses, urls = [], []
        for source, (url, status) in config.redirects.items():
            key = map_regex(syntax.exact_regex(source))
            statuses.append((key, str(status)))
            urls.append((key, site.boot_value(key_name(["redirects", source, "url"]), "url", url) if "${" in url
                         else text(url)))
        out.map("$static_path", "static_redirect_status", statuses)
        out.map("$static_path", "static_redirect_url", urls)
    if config.routes:
        out.map("$static_path", "static_route",
                [(map_regex(syntax.glob_regex(pattern)), text("/" + target)) for pattern, target in config.routes])


def response_maps(out, site):
    """What every response gets: static.json's headers, caching, the ETag, Allow."""
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
        out.map('"$status:$static_proxied"', "static_etag", [(map_regex("^(200|206|304):0$"), literal(tag))])
        out.map("$http_if_none_match", "static_not_modified",
                [(map_regex(r'(^|[\s,])(W/)?"%s"\s*(,|$)' % site.scan.version), "1")], default="0")
    out.map("$status", "static_allow", [("405", '"GET, HEAD"')])
