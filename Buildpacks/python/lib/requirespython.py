"""The app's `requires-python` (pyproject.toml's [project] table) and whether a version meets
it: PEP 440 specifiers on final releases, which is all an interpreter version is.
"""
import os
import re

try:
    import tomllib
except ImportError:  # Python 3.10 or older runs the buildpack: read the one key by pattern
    tomllib = None

CLAUSE = re.compile(r"^\s*(~=|===|==|!=|<=|>=|<|>)\s*([0-9][0-9.]*)(\.\*)?\s*$")


def read(build):
    """pyproject.toml's [project] requires-python, or None."""
    path = os.path.join(build, "pyproject.toml")
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as handle:
        data = handle.read()
    if tomllib is not None:
        try:
            value = tomllib.loads(data.decode("utf-8-sig")).get("project", {}).get("requires-python")
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None  # the package manager reports a broken pyproject.toml in its own words
        return value if isinstance(value, str) else None
    match = re.search(r'^\s*requires-python\s*=\s*["\']([^"\']*)["\']', data.decode("utf-8", "replace"), re.MULTILINE)
    return match.group(1) if match else None


def _release(text):
    return [int(part) for part in text.split(".") if part != ""]


def _padded(a, b):
    width = max(len(a), len(b))
    return a + [0] * (width - len(a)), b + [0] * (width - len(b))


def _meets(version, operator, target, wildcard):
    if wildcard:
        prefix = version[:len(target)]
        return prefix == target if operator == "==" else prefix != target
    left, right = _padded(version, target)
    if operator in ("==", "==="):
        return left == right
    if operator == "!=":
        return left != right
    if operator == ">=":
        return left >= right
    if operator == "<=":
        return left <= right
    if operator == ">":
        return left > right
    if operator == "<":
        return left < right
    # ~=X.Y.Z: >= X.Y.Z and == X.Y.*
    return left >= right and version[:len(target) - 1] == target[:len(target) - 1]


def satisfied(version, specifier):
    """True when `version` ("3.11.7") meets every clause of `specifier` (">=3.11,<4");
    None when a clause is not one this reader understands (the package manager then judges)."""
    release = _release(version)
    for clause in specifier.split(","):
        if not clause.strip():
            continue
        match = CLAUSE.match(clause)
        if not match:
            return None
        if not _meets(release, match.group(1), _release(match.group(2)), bool(match.group(3))):
            return False
    return True
