import Foundation

/// Folders a buildpack left in BUILD_DIR as symlinks into its cache instead of copying them in:
/// a slugc extension of the classic buildpack API.
///
/// slugc gives each `bin/compile` the path of a file in `SLUGC_CACHE_LINKS`. A buildpack that
/// would copy a folder out of CACHE_DIR (an installed Python environment: 9,000 files for a
/// Django app) may instead leave a symlink to it and write the symlink's path, relative to
/// BUILD_DIR, on a line of that file. slugc then packs the folder the link points to under the
/// link's name (`PackOptions.linkedFolders`), so the slug is the one a copy would give, and
/// nothing is copied in or removed again: on this machine's disk that was 0.5 to 1.2 s of a
/// 1.5 s no-change rebuild. Before anything else may write into the build folder (the next
/// buildpack, the app's `bin/post_compile`, `bin/test`), the links are replaced by real folders
/// made of hard links, so nothing written there reaches the cache. The build holds the cache
/// lock until the slug is packed. A buildpack run by another tool sees no `SLUGC_CACHE_LINKS`
/// and copies as before.
struct CacheLinks {
    static let environmentKey = "SLUGC_CACHE_LINKS"

    /// Relative path in the build folder → the cache folder it stands for (resolved).
    private(set) var folders: [String: String] = [:]

    var isEmpty: Bool { folders.isEmpty }

    /// Takes what `buildpack` listed in `list` (absent: nothing): every line must name a symlink
    /// in `app`, through no other symlink, to a folder inside `cache`.
    mutating func read(_ list: URL, buildpack: String, app: URL, cache: URL) throws {
        guard let data = FileManager.default.contents(atPath: list.path) else { return }
        let appRoot = app.resolvingSymlinksInPath().path
        let cacheRoot = cache.resolvingSymlinksInPath().path
        // Split on bytes: as Characters, "\r\n" is one that "\n" does not match.
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let entry = String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self)
            guard !entry.isEmpty else { continue }
            func refuse(_ reason: String) -> CompileError {
                .badCacheLink(buildpack: buildpack, line: index + 1, entry: entry, reason: reason)
            }
            let parts = entry.split(separator: "/", omittingEmptySubsequences: false)
            guard !entry.hasPrefix("/"), !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw refuse("it is not a plain path relative to BUILD_DIR")
            }
            let link = app.appendingPathComponent(entry)
            // The folders above the link must be real ones, or the link would lie outside the app.
            let parent = link.deletingLastPathComponent().resolvingSymlinksInPath().path
            // Bytes, not String equality, which takes canonically equal names for one.
            guard parent.utf8.elementsEqual(([Substring(appRoot)] + parts.dropLast()).joined(separator: "/").utf8) else {
                throw refuse("a folder on its way is a symlink")
            }
            var info = stat()
            guard lstat(link.path, &info) == 0, FileSystem.isSymlink(info) else {
                throw refuse("there is no symlink there")
            }
            let source = link.resolvingSymlinksInPath().path
            var sourceInfo = stat()
            guard source.utf8.starts(with: (cacheRoot + "/").utf8), stat(source, &sourceInfo) == 0, FileSystem.isDirectory(sourceInfo) else {
                throw refuse("it does not lead to a folder in the buildpack's cache folder (\(cache.path))")
            }
            folders[entry] = source
        }
    }

    /// Replaces every link with a copy of its folder made of hard links (a plain copy where the
    /// cache is on another file system); `before` names what is about to run, for the log.
    mutating func materialize(in app: URL, before: String, events: BuildEventHandler) async throws {
        for (relative, source) in folders.sorted(by: { $0.key < $1.key }) {
            events(.detail("Copying \(relative) out of the cache before \(before) runs"))
            let destination = app.appendingPathComponent(relative).path
            guard unlink(destination) == 0 || errno == ENOENT else {
                throw CompileError.io(path: destination, reason: "cannot replace the link to the cache: \(FileSystem.describe(errno))")
            }
            if try await Self.copy(source, to: destination, arguments: ["-al"]).succeeded { continue }
            removeTree(URL(fileURLWithPath: destination))
            let copied = try await Self.copy(source, to: destination, arguments: ["-a"])
            guard copied.succeeded else {
                removeTree(URL(fileURLWithPath: destination))
                // cp names itself by the path it was run as ("/bin/cp: error writing …").
                let said = copied.errorTail.last.map { " (\($0.hasPrefix("/bin/") ? String($0.dropFirst(5)) : $0))" } ?? ""
                throw CompileError.io(path: destination, reason: "cannot copy the cache folder \(source) there before \(before) runs\(said); make room in the build's TMPDIR, or check that it is writable")
            }
        }
        folders.removeAll()
    }

    /// `cp` keeps modes and symlinks and makes hard links with `-l`.
    private static func copy(_ source: String, to destination: String, arguments: [String]) async throws -> ChildProcessOutcome {
        let process = ChildProcess(executable: "/bin/cp", arguments: arguments + ["--", source, destination],
                                   environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"], capturesOutput: true)
        return try await process.run()
    }
}
