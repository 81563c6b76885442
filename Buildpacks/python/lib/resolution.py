"""Which offered interpreter a version request gets, as Heroku resolves it.

`3.12` means the newest 3.12.x any source offers; `3.11.6` means exactly that when some
source has it, else the newest 3.11.x with a warning; a series nobody offers is an error
listing what is offered and where. No request: the newest final release. When two sources
offer the same version, the build cache wins, then the runtime index, then the machine.
"""
import messages
from output import CompileFailure
from pythonversion import END_OF_LIFE, is_final_release, series, version_key

RANK = {"cache": 0, "index": 1, "machine": 2}


class Offer:
    """One interpreter some source can install."""

    def __init__(self, version, kind, label, key, origin, entry=None, machine=None):
        self.version = version  # "3.12.7"
        self.kind = kind        # "cache", "index" or "machine"
        self.label = label      # how messages name the source
        self.key = key          # the build cache's name for an installed copy
        self.origin = origin    # the archive URL or the machine's prefix (for a cached copy: where it came from)
        self.entry = entry      # runtimeindex.IndexEntry, for "index"
        self.machine = machine  # machinepythons.MachinePython, for "machine"


class Choice:
    def __init__(self, offer, warnings):
        self.offer = offer
        self.warnings = warnings  # lists of message lines


def _best(offers):
    return sorted(offers, key=lambda o: ([-p for p in version_key(o.version)], RANK[o.kind]))[0]


def choose(request, offers, skipped):
    """The offer for `request` (a VersionRequest or None), or a CompileFailure naming what there is."""
    if not offers:
        raise CompileFailure(*messages.nothing_available(skipped))
    warnings = []
    if request is None:
        supported = [o for o in offers if is_final_release(o.version) and series(o.version) not in END_OF_LIFE]
        chosen = _best(supported or offers)
    else:
        same_series = [o for o in offers if series(o.version) == request.series]
        exact = [o for o in same_series if o.version == request.version]
        if request.exact and exact:
            chosen = _best(exact)
        elif same_series:
            chosen = _best(same_series)
            if request.exact:
                warnings.append(messages.exact_version_missing(request.version, chosen.version, request.source))
        else:
            raise CompileFailure(*messages.no_such_version(request, listing(offers), skipped))
    if series(chosen.version) in END_OF_LIFE:
        warnings.append(messages.end_of_life(series(chosen.version)))
    return Choice(chosen, warnings)


def listing(offers):
    """[(source label, versions newest first)] for messages, each source once, in source order."""
    by_label = {}
    for offer in sorted(offers, key=lambda o: RANK[o.kind]):
        by_label.setdefault(offer.label, set()).add(offer.version)
    return [(label, _compact(sorted(versions, key=version_key, reverse=True))) for label, versions in by_label.items()]


def _compact(versions):
    """Runs of one series shown as a range ("3.12.14 to 3.12.0"), so an index of 150 archives fits a few lines."""
    out, start = [], 0
    while start < len(versions):
        end = start
        while end + 1 < len(versions) and series(versions[end + 1]) == series(versions[start]):
            end += 1
        out.append(versions[start] if end - start < 2 else f"{versions[start]} to {versions[end]}")
        if 0 < end - start < 2:
            out.append(versions[end])
        start = end + 1
    return out
