import Foundation

/// A root filesystem that `slugc run --root` boots a slug in (a stand-in for the stack's run
/// image), checked with `check` before anything is extracted, so a wrong `--root` costs nothing.
struct RootFilesystem: Sendable {
    /// The folder as given; it is mounted read-only under an overlay and never written.
    let folder: URL
    /// util-linux's `unshare`, which creates the namespaces the run lives in.
    let unshare: String

    /// Checks `folder` and this machine, cheapest first; throws the `RunError` that says what to fix.
    static func check(_ folder: URL, environment: [String: String]) async throws -> RootFilesystem {
        let path = folder.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw RunError.rootFilesystemMissing(path: path)
        }
        guard isDirectory.boolValue else { throw RunError.rootFilesystemNotAFolder(path: path) }
        let hasBash = isProgram("/bin/bash", inside: folder)
        guard hasBash || isProgram("/bin/sh", inside: folder) else { throw RunError.notARootFilesystem(path: path) }
        guard hasBash else { throw RunError.rootFilesystemWithoutBash(path: path) }
        guard geteuid() == 0 else { throw RunError.rootFilesystemNeedsRoot(path: path) }
        guard let unshare = findProgram("unshare", path: environment["PATH"]) else {
            throw RunError.namespacesUnavailable(path: path, reason: "unshare from util-linux is not installed")
        }
        try await probeNamespaces(unshare: unshare, folder: path, environment: environment)
        return RootFilesystem(folder: folder, unshare: unshare)
    }

    /// Creates the same namespaces the run will, around `true`: a container without
    /// CAP_SYS_ADMIN, or a namespace limit of 0, fails here rather than half way through a boot.
    private static func probeNamespaces(unshare: String, folder: String, environment: [String: String]) async throws {
        let probe = ChildProcess(executable: unshare, arguments: ["--mount", "--pid", "--fork", "--", "true"],
                                 environment: environment)
        let outcome: ChildProcessOutcome
        do {
            outcome = try await probe.run()
        } catch let error as ChildProcessError {
            throw RunError.namespacesUnavailable(path: folder, reason: error.description)
        }
        guard outcome.succeeded else {
            throw RunError.namespacesUnavailable(path: folder, reason: outcome.errorTail.last ?? "unshare \(outcome.summary)")
        }
    }

    /// Whether `path` names a regular file inside `root` as a process chrooted there sees it.
    /// Symlinks resolve within `root` (an absolute link such as /bin/sh -> /usr/bin/dash means
    /// root's /usr/bin/dash, which a plain lookup from the host would get wrong).
    static func isProgram(_ path: String, inside root: URL) -> Bool {
        var pending = path.split(separator: "/").map(String.init)
        var resolved: [String] = []
        var links = 0
        var info = stat()
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == "." { continue }
            if name == ".." { _ = resolved.popLast(); continue }
            let hostPath = ([root.path] + resolved + [name]).joined(separator: "/")
            guard lstat(hostPath, &info) == 0 else { return false }
            guard (info.st_mode & S_IFMT) == S_IFLNK else {
                resolved.append(name)
                continue
            }
            links += 1
            // The kernel's own limit on links in one lookup, so a loop ends.
            guard links <= 40, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: hostPath) else {
                return false
            }
            if target.hasPrefix("/") { resolved = [] }
            pending = target.split(separator: "/").map(String.init) + pending
        }
        return (info.st_mode & S_IFMT) == S_IFREG
    }

    /// The first executable `name` in `path`'s folders, then in the usual system folders
    /// (`sudo` and cron give a short PATH).
    static func findProgram(_ name: String, path: String?) -> String? {
        let folders = (path ?? "").split(separator: ":").map(String.init) + ["/usr/bin", "/bin", "/usr/sbin", "/sbin"]
        for folder in folders where folder.hasPrefix("/") {
            let candidate = folder + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
