"""Heroku's build output conventions: steps, indented details, errors."""
import sys


class CompileFailure(Exception):
    """A compile error whose lines the user reads; `compile.py` prints them and exits 1."""

    def __init__(self, *lines):
        super().__init__(lines[0] if lines else "")
        self.lines = [line for line in lines if line is not None]


def step(text):
    print("-----> " + text, flush=True)


def detail(*texts):
    for text in texts or ("",):
        for line in str(text).splitlines() or [""]:
            print(("       " + line).rstrip(), flush=True)


def warning(*lines):
    """A warning the build goes on after: ` !     Warning: ` then the message's lines."""
    for number, line in enumerate(lines):
        print((" !     " + ("Warning: " if number == 0 else "") + line).rstrip(), flush=True)


def error(text):
    for line in str(text).splitlines() or [""]:
        print((" !     " + line).rstrip(), flush=True)


def show_failure(failure):
    """Error lines start with ` !     `; lines that are quoted output (already indented) pass as they are."""
    for line in failure.lines:
        if line.startswith("       "):
            print(line.rstrip(), flush=True)
        else:
            error(line)
    sys.stdout.flush()
