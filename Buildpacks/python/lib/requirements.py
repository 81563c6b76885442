"""requirements.txt as pip reads it: lines, `-r`/`-c` includes, local packages; and which
line a pip failure is about.
"""
import os
import re

NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")
INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")
EDITABLE = re.compile(r"^(-e|--editable)(?:\s+|=)(\S+)")
# Files of a local package whose change means its dependencies may have changed.
PACKAGE_METADATA = ("pyproject.toml", "setup.py", "setup.cfg")


class Line:
    def __init__(self, file, number, text):
        self.file = file      # relative to the build dir, as pip prints it
        self.number = number
        self.text = text

    @property
    def where(self):
        return f"line {self.number} of {self.file}"

    def local_path(self):
        """The folder of a local package (`.`, `./pkg`, `-e .`), or None."""
        text = self.text
        editable = EDITABLE.match(text)
        if editable:
            text = editable.group(2)
        if text.startswith("file:"):
            text = text[5:].lstrip("/") if text.startswith("file://") else text[5:]
        text = text.split("#", 1)[0].split("[", 1)[0]
        if text == "." or text.startswith(("./", "../", "/")):
            return text
        return None

    def name(self):
        if self.text.startswith("-") or self.local_path():
            return None
        match = NAME.match(self.text)
        return canonical(match.group(1)) if match else None


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def logical_lines(path, display):
    """The requirement lines of one file: continuations joined, comments and blanks dropped."""
    with open(path, encoding="utf-8-sig", errors="replace") as handle:
        physical = handle.read().splitlines()
    lines, pending, start = [], "", None
    for number, raw in enumerate(physical, start=1):
        if start is None:
            start = number
        if raw.endswith("\\"):
            pending += raw[:-1]
            continue
        text = re.sub(r"(^|\s)#.*$", "", pending + raw).strip()
        if text:
            lines.append(Line(display, start, text))
        pending, start = "", None
    return lines


def walk(build_dir, top="requirements.txt"):
    """(files, lines): every requirements file reached from `top`, and all their lines."""
    files, lines, queue = [], [], [top]
    while queue:
        display = os.path.normpath(queue.pop(0))
        path = os.path.join(build_dir, display)
        if display in files or not os.path.isfile(path):
            continue
        files.append(display)
        for line in logical_lines(path, display):
            lines.append(line)
            include = INCLUDE.match(line.text)
            if include:
                queue.append(os.path.join(os.path.dirname(display), include.group(2)))
    return files, lines


def key_inputs(build_dir, files, lines):
    """Paths whose content decides what pip installs: the requirement files and the metadata of local packages."""
    inputs = list(files)
    for line in lines:
        folder = line.local_path()
        if folder is None:
            continue
        for name in PACKAGE_METADATA:
            candidate = os.path.normpath(os.path.join(folder, name))
            if os.path.isfile(os.path.join(build_dir, candidate)):
                inputs.append(candidate)
    return inputs


def pip_error(output_lines, limit=20):
    """pip's own error message: its top-level `ERROR:` lines (with their hints); for a package
    that failed to build, what failed (`× …`) and the last line the build printed."""
    errors, inside = [], False
    for line in output_lines:
        if line.startswith("ERROR:"):
            inside = True
        elif not line.startswith(("Hint:", "HINT:", "  ")):
            inside = False
        if inside:
            errors.append(line)
    if errors:
        return errors[:limit]
    summary, block = [], []
    for line in output_lines:
        stripped = line.strip()
        if stripped.startswith("×") and stripped not in summary:
            summary.append(stripped)
        elif stripped == "[end of output]":
            said = [text.strip() for text in block if text.strip()]
            if said and said[-1] not in summary:
                summary.append(said[-1])
            block = []
        elif "lines of output]" in stripped:
            block = []
        else:
            block.append(line)
    return summary[:limit] or [line for line in output_lines if line.strip()][-limit:]


def failing_line(output_lines, lines, build_dir):
    """The requirements line pip's failure is about, with a phrase saying how it relates, or None."""
    text = "\n".join(output_lines)
    cited = re.search(r"\(from line (\d+) of ([^)]+)\)", text)
    if cited:
        return _line_at(lines, cited.group(2), int(cited.group(1))), "is"
    missing = re.search(r"No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    if missing:
        for line in lines:
            if line.name() == canonical(missing.group(1)):
                return line, "is"
    # A build failure: the last package pip started on before the first error.
    first_error = next((i for i, l in enumerate(output_lines) if l.lstrip().startswith(("ERROR:", "error:"))), len(output_lines))
    for raw in reversed(output_lines[:first_error]):
        started = re.match(r"^(Collecting|Processing|Obtaining) (\S+)(.*)$", raw.strip())
        if not started:
            continue
        via = re.search(r"-r (\S+) \(line (\d+)\)\)*$", started.group(3))
        if via:
            direct = "->" not in started.group(3)
            return _line_at(lines, via.group(1), int(via.group(2))), "is" if direct else "needs it"
        return _match(started.group(2), lines, build_dir), "is"
    return None, None


def _line_at(lines, file, number):
    file = os.path.normpath(file)
    return next((l for l in lines if os.path.normpath(l.file) == file and l.number == number), None)


def _match(target, lines, build_dir):
    name = NAME.match(target)
    for line in lines:
        folder = line.local_path()
        if folder is not None:
            if os.path.realpath(os.path.join(build_dir, folder)) == os.path.realpath(os.path.join(build_dir, target)):
                return line
        elif name and line.name() == canonical(name.group(1)):
            return line
    return None
