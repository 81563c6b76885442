"""Heroku's build output conventions: steps and details on stdout, errors on stderr."""
import sys


class CompileFailure(Exception):
    """A compile error; `compile.py` prints its message after ` !     ` on stderr and exits 1."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def step(text):
    print("-----> " + text, flush=True)


def detail(text):
    print("       " + text, flush=True)


def warning(text):
    """A warning the build goes on after, on stdout so it stays in order with the steps."""
    print(" !     Warning: " + text, flush=True)


def error(text):
    for line in text.splitlines() or [""]:
        sys.stderr.write(" !     " + line + "\n")
    sys.stderr.flush()
