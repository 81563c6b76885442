"""Every message of the static buildpack that a user reads, in one place.

Compile-time messages are functions returning one sentence (or two): a problem and its fix.
Those about a key of static.json get "static.json line N: " in front from static_config.

The web process runs on a run image without Python, so what it prints at boot is kept here as
printf formats (RUNTIME, `%s` placeholders) that compile.py writes into the slug's
.static/boot.sh for start.sh. bin/compile's two messages about a missing python3 are the only
ones outside this file: they are printed before Python can run.
"""
import json

CONFIG_NAME = "static.json"
SUPPORTED_KEYS = ("root", "clean_urls", "error_page", "headers", "redirects", "routes", "https_only", "encoding",
                  "proxies", "basic_auth", "basic_auth_htpasswd_path", "canonical_host")
EXAMPLE_ORIGIN = '"origin": "https://api.example.com/"'


def quoted(value):
    return json.dumps(value, ensure_ascii=False)


# --- static.json as a file --------------------------------------------------------------------

def not_a_regular_file():
    return f"{CONFIG_NAME} is not a regular file. Make it a JSON file, or remove it."


def link_outside(target):
    return (f"{CONFIG_NAME} is a symlink to {target}, which leads outside the app, so it was not read. Put the file "
            f"itself in the app instead of a link (e.g. cp --remove-destination \"$(readlink -f {CONFIG_NAME})\" "
            f"{CONFIG_NAME}), and commit it.")


def not_utf8(byte):
    return f"{CONFIG_NAME} is not UTF-8 text (byte {byte}). Save it as UTF-8."


def invalid_json(line, column, reason):
    return (f"{CONFIG_NAME} line {line}, column {column}: invalid JSON ({reason}). Fix the syntax; a trailing comma "
            "or a missing quote is the usual cause.")


def top_level_not_object(described):
    return f'{CONFIG_NAME}: the top level must be a JSON object such as {{"root": "public/"}}, not {described}.'


# --- values of the wrong kind -----------------------------------------------------------------

def wrong_type(key, wanted, described, example):
    return f"{key} must be {wanted}, not {described}. Write {example}, or remove the key."


def root_empty():
    return '"root" is empty. Write a folder such as "root": "public/", or remove the key.'


def encoding_not_charset(value):
    return f'"encoding" is {quoted(value)}, which is not a charset name. Write a name such as "encoding": "UTF-8".'


def path_without_slash(path):
    return f'the path {quoted(path)} must start with "/". Write it as {quoted("/" + path)}.'


def header_name_invalid(name):
    return f'{quoted(name)} is not a valid header name. Use letters, digits and dashes, such as "Cache-Control".'


def line_break(key):
    return f"the value of {key} contains a line break. Put the value on one line."


def control_character(key, character):
    return (f"{key} contains a control character (U+{ord(character):04X}), which nginx's configuration cannot hold. "
            "Remove it.")


URL_CHARACTERS = {
    " ": ("a space", "%20"), '"': ('a double quote (")', "%22"), "\\": ("a backslash", "%5C"),
    "{": ('a "{" that does not start ${NAME}', "%7B"), "}": ('a "}" that does not end ${NAME}', "%7D"),
}


def url_character(key, character):
    description, encoded = URL_CHARACTERS[character]
    return f"{key} contains {description}, which a URL cannot hold. Write it as {encoded}."


def variable_malformed(key):
    return (f'{key} has a "$" followed by "{{" that is not a ${{NAME}} config var. Write ${{NAME}} with letters, '
            'digits and "_", such as ${API_HOST}, or write the "$" as %24.')


# --- redirects --------------------------------------------------------------------------------

def redirect_without_url(source):
    return f'the redirect for {quoted(source)} has no "url". Add "url": "/new-path" (or a full https:// URL).'


def redirect_url_empty(source):
    return f'the redirect for {quoted(source)} has an empty or multi-line "url". Write a path such as "url": "/new".'


def redirect_status(source, status):
    return f"the redirect status for {quoted(source)} is {status}. Use one of 301, 302, 303, 307, 308 (or leave it out for 301)."


def redirect_extra_key(extra, source):
    return f'{CONFIG_NAME}: key "{extra}" in the redirect for {source} is ignored.'


# --- proxies ----------------------------------------------------------------------------------

def proxy_without_origin(location):
    return f'the proxy for {quoted(location)} has no "origin". Add {EXAMPLE_ORIGIN} (the app to pass requests to).'


def proxy_origin_invalid(key, value):
    return (f"{key} is {quoted(value)}, which is not an http:// or https:// URL with a host. Write it as "
            f'"https://api.example.com/" (${{NAME}} takes a config var, e.g. "https://${{API_HOST}}/").')


def proxy_whole_site(location):
    return (f"the proxy path {quoted(location)} would send every request to the origin, and the site would never be "
            'served. Proxy a folder such as "/api/".')


def proxy_duplicate(first, second):
    return f'"proxies" has both {quoted(first)} and {quoted(second)}, which are the same folder. Keep one of them.'


def proxy_extra_key(extra, location):
    return f'{CONFIG_NAME}: key "{extra}" in the proxy for {location} is ignored.'


# --- basic_auth -------------------------------------------------------------------------------

def htpasswd_outside(value):
    return (f'"basic_auth_htpasswd_path" is {quoted(value)}, which is outside the app. '
            'Keep the password file in the app, such as "basic_auth_htpasswd_path": ".htpasswd".')


def htpasswd_missing(path, set_by_key):
    where = f'"basic_auth_htpasswd_path" is {quoted(path)}, but it' if set_by_key else f'"basic_auth" is true, but {path}'
    return (f"{where} is not a file in the app. Add it (htpasswd -cB {path} alice makes one with the user alice), "
            'or set "basic_auth_htpasswd_path" to where it is.')


def htpasswd_served(path, root):
    return (f'"basic_auth_htpasswd_path" is {quoted(path)}, which is inside the site root {root}, so anyone could '
            "download it. Move it out of the site root (the default is .htpasswd at the top of the app).")


def htpasswd_line_invalid(path, line):
    return (f'{path} line {line} is not "name:password-hash". Make each line a user name, a colon and a hash, '
            f"as htpasswd -B {path} alice writes it.")


def htpasswd_hash_unknown(path, line, user):
    return (f"{path} line {line}: the password of {quoted(user)} is not a hash nginx can check (it should start with "
            f"$2y$, $6$, $5$, $apr1$ or {{SHA}}). Make it with htpasswd -B {path} {user}.")


def htpasswd_empty(path):
    return f"{path} has no users, so nobody could sign in. Add one with htpasswd -B {path} alice."


def htpasswd_without_basic_auth():
    return (f'{CONFIG_NAME}: "basic_auth_htpasswd_path" is set, but "basic_auth" is not true, so no password is asked. '
            'Add "basic_auth": true, or remove the key.')


def basic_auth_no_etag():
    return ('With basic_auth, responses carry no ETag: a 304 would be answered before the password is checked.')


# --- canonical_host ---------------------------------------------------------------------------

def canonical_host_invalid(value):
    return (f'"canonical_host" is {quoted(value)}, which is not a host name. Write a name such as '
            '"canonical_host": "www.example.com" (no scheme, port or path; ${NAME} takes a config var).')


# --- the site root and the files static.json names ---------------------------------------------

def root_outside(value):
    return f'"root" is {quoted(value)}, which is outside the app. Use a folder inside the app, such as "root": "public/".'


def root_missing(value, shown, what):
    return (f'"root" is {quoted(value)}, but {shown} {what}. Build the site into that folder before compiling, '
            'or set "root" to the folder that holds index.html.')


def target_missing(key, target, root):
    return (f"{key} is {quoted(target)}, but {root}{target} is not a file in the site root. Add the file, or fix the "
            f"path (it is relative to the site root {root}).")


# --- keys slugc does not know ------------------------------------------------------------------

def unsupported_key(key):
    return f'{CONFIG_NAME}: "{key}" is not supported by slugc\'s static buildpack and is ignored.'


def unknown_key(key):
    return f'{CONFIG_NAME}: unknown key "{key}" is ignored (supported: {", ".join(SUPPORTED_KEYS)}).'


# --- what compile prints ----------------------------------------------------------------------

USAGE = "Usage: bin/compile BUILD_DIR CACHE_DIR ENV_DIR (BUILD_DIR must be a folder)."
STEP = "Installing static site server"
REPLACING_DOT_STATIC = "Replacing the app's own .static/ folder (the server lives there)"
ROOT_FROM_KEY = f'set by "root" in {CONFIG_NAME}'
ROOT_PUBLIC_HTML = "default: public_html/ exists"
ROOT_PUBLIC = "default: public/index.html exists"
ROOT_APP = "default: the app folder"


def site_root(root, reason):
    return f"Site root: {root} ({reason})"


def features(names):
    return f"{CONFIG_NAME}: {', '.join(names)}"


def server(version, source, libraries):
    vendored = f"; {', '.join(libraries)} in .static/lib" if libraries else ""
    return f"Server: nginx {version} (.static/bin/nginx, from {source}{vendored})"


def symlinks_not_served(count, examples):
    more = f" and {count - len(examples)} more" if count > len(examples) else ""
    return (f"{count} symlink{'s' if count != 1 else ''} in the site root point{'s' if count == 1 else ''} outside it "
            f"or at a hidden file, and will answer 404: {', '.join(examples)}{more}")


# --- the nginx the slug carries ----------------------------------------------------------------

def nginx_missing(searched):
    return ("nginx was not found on the build machine (looked in " + ", ".join(searched) + "). The static buildpack "
            "copies the build machine's nginx into the slug; install it (apt-get install nginx) and build again.")


def nginx_unusable(path, reason):
    return f"{path} did not run ({reason}). Reinstall nginx on the build machine (apt-get install --reinstall nginx)."


def nginx_too_old(path, version, minimum):
    return (f"{path} is nginx {version}, but the static site needs nginx {minimum} or newer (for -e, which keeps logs "
            "off /var/log). Install a newer nginx on the build machine.")


def library_unavailable(library, path):
    return (f"{path} needs {library}, which the run image lacks and this machine does not have either. "
            "Install nginx from the stack's packages (apt-get install nginx) and build again.")


def patchelf_missing(library):
    return (f"nginx needs {library}, which the run image lacks; copying it into the slug needs patchelf, which is "
            "not installed. Install it (apt-get install patchelf) and build again.")


def config_refused(path, said):
    return (f"{path} refused the nginx configuration made from {CONFIG_NAME}: {said}. This nginx may lack a module "
            "the site needs (gzip, rewrite, map, auth_basic, proxy, ssl); install Debian's or Ubuntu's nginx package.")


def config_warning(said):
    return f"nginx says about the configuration made from {CONFIG_NAME}: {said}"


# --- at boot (printf formats for start.sh; the run image has no Python) -------------------------

RUNTIME = {
    "message_bad_port": 'PORT is "%s", which is not a port number. Set PORT to a number from 1 to 65535.',
    "message_run_folder": ("Cannot write %s, where the web process keeps nginx's configuration and temporary files. "
                           "Make the app folder writable."),
    "message_variable_unset": f"{CONFIG_NAME} %s uses ${{%s}}, which is not set; it is left empty.",
    "message_value_invalid": (f"{CONFIG_NAME} %s is \"%s\" with this dyno's config vars, which is not %s. "
                              "Fix the config vars it uses (%s)."),
    "kind_url": "a URL a redirect can send (no spaces, quotes, backslashes or braces)",
    "kind_origin": "an http:// or https:// URL with a host and no \"$\"",
    "kind_host": "a host name (letters, digits, dots and dashes)",
    "message_serving": "Serving %s on 0.0.0.0:%s",
    "message_stopping": "Received %s, shutting down",
}
