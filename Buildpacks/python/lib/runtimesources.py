"""Where an interpreter can come from, in order: the build cache, the runtime index, the machine.

`gather` lists every version each source offers; `provide` puts the chosen one into the
build cache (downloading and verifying, or copying from the machine) and returns its key.
"""
import hashlib
import os

import machinepythons
import messages
import runtimeindex
import runtimeinstall
from output import detail, warning
from resolution import Offer


def gather(cache, config, build_dir, environment):
    """(offers, skipped): every interpreter on offer, and the machine's that cannot be used (with why)."""
    offers = []
    for key, meta in cache.cached_runtimes():
        offers.append(Offer(meta["version"], "cache", "the build cache", key, meta.get("origin", "")))
    location = runtimeindex.location_from_config(config, build_dir)
    if location is None:
        detail(messages.index_off())
    else:
        url, label = location
        try:
            index = runtimeindex.load(url, label)
        except runtimeindex.Unavailable as problem:
            warning(messages.index_unavailable(label, problem))
        else:
            for entry in index.entries:
                key = f"{entry.version}-index-{entry.sha256[:12]}"
                offers.append(Offer(entry.version, "index", label, key, entry.url, entry=entry))
    probes = cache.probes()
    known = dict(probes)
    usable, skipped = machinepythons.discover(environment, known)
    if known != probes:
        cache.write_probes(known)
    for machine in usable:
        key = f"{machine.version}-machine-{hashlib.sha256(machine.identity.encode()).hexdigest()[:12]}"
        offers.append(Offer(machine.version, "machine", "this machine", key, machine.prefix, machine=machine))
    return offers, [(s.path, s.reason) for s in skipped]


def describe(offer):
    """Where the chosen interpreter comes from, for the `Installing Python` line."""
    if offer.kind == "cache":
        return f"the build cache: a copy of {offer.origin}" if offer.origin else "the build cache"
    if offer.kind == "index":
        return offer.origin
    return f"{offer.origin} on this machine"


def provide(offer, cache):
    """The cache key of a ready interpreter for `offer`; runtimeindex.Unavailable when a download fails."""
    if offer.kind == "cache":
        return offer.key
    for key, _ in cache.cached_runtimes():
        if key == offer.key:
            return key  # the same archive or machine interpreter was installed by an earlier build
    meta = {"version": offer.version, "kind": offer.kind, "origin": offer.origin}
    series = ".".join(offer.version.split(".")[:2])
    if offer.kind == "index":
        archive = runtimeindex.download(offer.entry, cache.scratch())
        size = os.path.getsize(archive)
        detail(f"Downloaded {size / 1e6:.1f} MB; its SHA-256 matches the index.")

        def prepare(folder):
            tree = os.path.join(folder, "python")
            runtimeindex.extract(archive, tree)
            lib = os.path.join(tree, "lib", "python" + series)
            runtimeinstall.take_pip_wheel(lib, folder)
            old_prefix = runtimeinstall.recorded_prefix(lib)
            runtimeinstall.trim(tree, series)
            runtimeinstall.finish(tree, series, old_prefix, offer.origin)
    else:
        machine = offer.machine

        def prepare(folder):
            tree = os.path.join(folder, "python")
            lib = os.path.join(machine.prefix, "lib", "python" + series)
            runtimeinstall.copy_prefix(machine, tree)
            runtimeinstall.take_pip_wheel(lib, folder)
            runtimeinstall.finish(tree, series, machine.prefix, machine.prefix)
    cache.add_runtime(offer.key, meta, prepare)
    return offer.key
