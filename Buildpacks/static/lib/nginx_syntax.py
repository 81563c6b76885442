"""How values from static.json are written into nginx's configuration so they stay values.

Every value goes inside double quotes, where nginx reads `;`, `{`, `}` and `'` as plain
characters; a backslash and a double quote are escaped. Where nginx expands variables (header
values, redirect URLs, file names it maps a request to), a `$` becomes ${static_dollar}, which
nginx_config defines as a literal "$". Path patterns become PCRE regular expressions whose
every ASCII punctuation character is escaped. Control characters never get here:
static_config refuses them, and the functions below raise if one slips through.
"""
import re

DOLLAR = "${static_dollar}"


class UnsafeValue(ValueError):
    """A value with a control character reached the writer: a bug in static_config's checks."""


def _check(value):
    if any(ord(character) < 32 and character != "\t" or ord(character) == 127 for character in value):
        raise UnsafeValue("control character in %r" % value)
    return value


def literal(value):
    """A quoted string nginx takes as it is (a location, a map key, a file path, a regex)."""
    return '"' + _check(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def text(value):
    """A quoted string for a directive that expands variables: any "$" stays a dollar sign."""
    return literal(value).replace("$", DOLLAR)


def regex_escape(value):
    r"""PCRE-escapes ASCII punctuation (a backslash before any non-alphanumeric ASCII character
    means that character itself); other bytes, UTF-8 included, are literal without the UTF flag."""
    return "".join("\\" + character if character.isascii() and not character.isalnum() and character not in "/_"
                   else character for character in value)


def glob_regex(pattern):
    """static.json's path patterns: `*` within one segment, `**` across segments, `?` one
    character; a trailing `/**` also matches the folder itself ("/app/**" covers "/app")."""
    parts = re.split(r"(/\*\*$|\*\*|\*|\?)", pattern)
    wildcard = {"/**": "(?:/.*)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return "(?s)^" + "".join(wildcard.get(part, regex_escape(part)) for part in parts) + r"\z"


def exact_regex(path):
    """A case-sensitive exact match (nginx's plain map keys ignore case; a path does not)."""
    return "^" + regex_escape(path) + r"\z"


def prefix_regex(path):
    """`path` itself or anything below it, for a folder."""
    return "^" + regex_escape(path.rstrip("/")) + r"(?:/|\z)"


def map_regex(regex):
    """A map key that is a case-sensitive regular expression."""
    return literal("~" + regex)
