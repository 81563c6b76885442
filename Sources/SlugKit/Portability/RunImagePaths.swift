/// Which paths a slug may name and still run on a dyno: the rule the portability check applies.
///
/// A slug is extracted to `/app` on a dyno (to a temporary folder under `slugc run`) on top of
/// the stack's run image, Ubuntu's base plus run-time libraries and nothing else. So a path
/// travels when it stays inside the app, or names a standard folder every run image has.
/// Paths are judged by their text alone, after resolving `.` and `..` lexically: a slug is
/// checked where it was built or packed, not on the dyno, so nothing is looked up on disk.
enum RunImagePaths {
    /// Top-level folders of the run image that a symlink may point into. `/usr/local` is left
    /// out: it is the build machine's own installs (a Docker image's Python lives there), which
    /// a run image never has. `/home`, `/root`, `/opt`, `/srv`, `/var`, `/nix`… are flagged too.
    static let systemFolders: Set<Substring> = ["usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32",
                                                "etc", "dev", "proc", "sys", "tmp", "run"]

    /// Folders holding the C library's loader and the run image's shared libraries: where an
    /// ELF interpreter or an absolute RPATH/RUNPATH entry may point.
    static let libraryFolders: Set<Substring> = ["lib", "lib32", "lib64", "libx32"]

    /// Folders holding the commands a `#!` line may name (`/bin/sh`, `/usr/bin/env`).
    static let commandFolders: Set<Substring> = ["bin", "sbin"]

    /// The components of an absolute path with `.` and `..` resolved by text (`..` at the root
    /// stays at the root, as the kernel does), or nil for a relative path.
    static func components(ofAbsolute path: String) -> [Substring]? {
        guard path.hasPrefix("/") else { return nil }
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == ".." { _ = parts.popLast() } else { parts.append(part) }
        }
        return parts
    }

    /// `/app` or a path under it: inside the slug, where it lives on a dyno.
    static func isInApp(_ parts: [Substring]) -> Bool {
        parts.first == "app"
    }

    /// Whether an absolute symlink target is inside the app or in a standard folder of the run image.
    static func symlinkTargetTravels(_ parts: [Substring]) -> Bool {
        guard let top = parts.first else { return false }
        if top == "app" { return true }
        if top == "usr" && parts.dropFirst().first == "local" { return false }
        return systemFolders.contains(top)
    }

    /// Whether a relative symlink at `path` (relative to the app root) stays inside the app
    /// when resolved by text: `../lib` from `bin/x` does, `../../lib` does not.
    static func relativeTargetStaysInApp(linkAt path: String, target: String) -> Bool {
        var depth = path.split(separator: "/").count - 1
        for part in target.split(separator: "/") where part != "." {
            depth += part == ".." ? -1 : 1
            if depth < 0 { return false }
        }
        return true
    }

    /// Whether an absolute path is in one of the run image's library folders (`/lib64/…`,
    /// `/usr/lib/x86_64-linux-gnu`), or in the app. The dynamic loader's `$LIB` token stands for
    /// a library folder, so `/usr/$LIB` counts as one.
    static func isLibraryPath(_ parts: [Substring]) -> Bool {
        if isInApp(parts) { return true }
        let top = parts.first == "usr" ? parts.dropFirst().first : parts.first
        guard let folder = top else { return false }
        return libraryFolders.contains(folder) || folder == "$LIB" || folder == "${LIB}"
    }

    /// Whether an absolute path is in `/bin`, `/sbin`, `/usr/bin` or `/usr/sbin`, or in the app.
    static func isCommandPath(_ parts: [Substring]) -> Bool {
        if isInApp(parts) { return true }
        let top = parts.first == "usr" ? parts.dropFirst().first : parts.first
        guard let folder = top, parts.count > (parts.first == "usr" ? 2 : 1) else { return false }
        return commandFolders.contains(folder)
    }

    /// Whether an RPATH/RUNPATH entry would find libraries on a dyno: `$ORIGIN`-relative entries
    /// move with the file, library folders and `/app` exist there. Relative entries without
    /// `$ORIGIN` (resolved against the working directory) and empty ones are not a build-machine
    /// path, so they pass.
    static func searchPathTravels(_ entry: String) -> Bool {
        if entry.hasPrefix("$ORIGIN") || entry.hasPrefix("${ORIGIN}") { return true }
        guard let parts = components(ofAbsolute: entry) else { return true }
        return isLibraryPath(parts)
    }
}
