import Foundation

/// Reads slugs: extracts them, and finds single files inside them.
public enum SlugReader {
    /// Extracts `slug` into `directory` (which must exist): `./app/Procfile` becomes
    /// `<directory>/Procfile`. Entries outside `./app/` are ignored, as Heroku does; entries
    /// that would escape the directory are refused. Symlinks may point anywhere (buildpacks
    /// link to `/app/...` or system paths), but nothing is ever written through one.
    public static func extract(_ slug: URL, into directory: URL) throws(PackError) {
        try unpack(slug, into: directory, stripAppPrefix: true, symlinksMayLeave: true)
    }

    /// Unpacks any tar archive (plain, gzip, bzip2, xz…) into `directory` (which must exist),
    /// restoring modes, symlinks and hard links. Refuses absolute paths, `..`, symlinks pointing
    /// outside and links to entries outside with `.unsafeEntry`, writing nothing outside the folder.
    /// With `stripAppPrefix`, only the contents of `./app/` are extracted, without the prefix.
    /// Stops with `.archiveTooLarge` once the files' sizes pass `limit` bytes, before writing
    /// the file that would pass it: a few kilobytes of gzip can expand to terabytes.
    public static func extractArchive(_ archive: URL, into directory: URL, stripAppPrefix: Bool,
                                      limit: Int64 = ArchiveLimits.defaultExpansion) throws(PackError) {
        try unpack({ () throws(PackError) in try TarReader(path: archive.path) }, into: directory,
                   stripAppPrefix: stripAppPrefix, symlinksMayLeave: false, limit: limit)
    }

    /// Unpacks an app's source tarball (from a file, or a descriptor such as standard input) as
    /// `extractArchive` does; devices, FIFOs and sockets are skipped and named to `skipped`.
    static func extractSource(_ open: () throws(PackError) -> TarReader, into directory: URL, limit: Int64,
                              skipped: (String) -> Void) throws(PackError) {
        try unpack(open, into: directory, stripAppPrefix: false, symlinksMayLeave: false, limit: limit, skipped: skipped)
    }

    private static func unpack(_ archive: URL, into directory: URL, stripAppPrefix: Bool,
                               symlinksMayLeave: Bool) throws(PackError) {
        try unpack({ () throws(PackError) in try TarReader(path: archive.path) }, into: directory,
                   stripAppPrefix: stripAppPrefix, symlinksMayLeave: symlinksMayLeave)
    }

    private static func unpack(_ open: () throws(PackError) -> TarReader, into directory: URL, stripAppPrefix: Bool,
                               symlinksMayLeave: Bool, limit: Int64 = .max, skipped: (String) -> Void = { _ in }) throws(PackError) {
        guard let resolved = realpath(directory.path, nil) else {
            throw PackError.io(path: directory.path, reason: FileSystem.describe(errno))
        }
        // The real path: libarchive refuses to write through any symlink, even one above the folder.
        let root = String(cString: resolved)
        free(resolved)
        try FileSystem.withUTF8Locale { () throws(PackError) in
            let reader = try open()
            var expanded: Int64 = 0
            while let entry = try reader.next() {
                let relative: String
                switch ArchivePath.resolve(entry.path, stripAppPrefix: stripAppPrefix) {
                case .outside, .root: continue
                case .unsafe: throw PackError.unsafeEntry(archive: reader.path, entry: entry.path)
                case let .inside(path): relative = path
                }
                var hardLink: String?
                if entry.kind == .hardLink, let target = entry.linkTarget {
                    guard case let .inside(targetPath) = ArchivePath.resolve(target, stripAppPrefix: stripAppPrefix) else {
                        throw PackError.unsafeEntry(archive: reader.path, entry: "\(entry.path) (hard link to \(target))")
                    }
                    hardLink = root + "/" + targetPath
                }
                if !symlinksMayLeave, entry.kind == .symlink, let target = entry.linkTarget,
                   !ArchivePath.symlinkStaysInside(at: relative, target: target) {
                    throw PackError.unsafeEntry(archive: reader.path, entry: "\(entry.path) -> \(target)")
                }
                if entry.kind == .other {
                    skipped(entry.path)
                    continue
                }
                // A sparse file counts for its full size: that is what it becomes for the app.
                expanded = expanded.addingReportingOverflow(max(entry.size, 0)).partialValue
                guard expanded >= 0, expanded <= limit else { throw PackError.archiveTooLarge(archive: reader.path, limit: limit) }
                try reader.writeCurrent(to: root + "/" + relative, hardLinkDestination: hardLink)
            }
            try reader.finishWriting()
        }
    }

    /// The contents of one file inside the slug, by its path under `./app/` ("Procfile"), or nil
    /// when there is no such file (folders and symlinks are not files). Reads only as far as the file.
    public static func readFile(_ path: String, from slug: URL) throws(PackError) -> Data? {
        try scan(slug, reading: path, tally: nil, portability: nil).file
    }

    /// One file's contents (as `readFile`), the total uncompressed size, the largest folders
    /// under `./app/` (`depth` levels deep, at most 10) and, given a `portability` check, what
    /// in the slug would not travel, in one pass over the slug: `inspect` needs them all, and a
    /// second decompression doubled its time.
    public static func survey(_ slug: URL, reading path: String, depth: Int = 2,
                              portability: PortabilityCheck? = nil) throws(PackError) -> SlugSurvey {
        let scanned = try scan(slug, reading: path, tally: FolderTally(depth: depth), portability: portability)
        return SlugSurvey(file: scanned.file, uncompressedSize: scanned.tally?.total ?? 0,
                          largestFolders: scanned.tally?.largest(10) ?? [],
                          portability: scanned.portability?.findings ?? [])
    }

    /// Reads entries until `path` is found, or to the end when tallying folder sizes or checking
    /// portability; a file's data is read only when it is the one wanted or being checked.
    private static func scan(_ slug: URL, reading path: String, tally: FolderTally?, portability: PortabilityCheck?)
        throws(PackError) -> (file: Data?, tally: FolderTally?, portability: PortabilityCheck?) {
        let wanted: String? = if case let .inside(wanted) = ArchivePath.resolve(path, stripAppPrefix: false) { wanted } else { nil }
        if wanted == nil && tally == nil && portability == nil { return (nil, nil, nil) }
        return try FileSystem.withUTF8Locale { () throws(PackError) -> (file: Data?, tally: FolderTally?, portability: PortabilityCheck?) in
            let reader = try TarReader(path: slug.path)
            var tally = tally
            var portability = portability
            var file: Data?
            var found = false
            var hardLinkTarget: String?
            while let entry = try reader.next() {
                guard case let .inside(relative) = ArchivePath.resolve(entry.path, stripAppPrefix: true) else { continue }
                if entry.kind == .file { tally?.add(relative, bytes: entry.size) }
                if entry.kind == .symlink, let target = entry.linkTarget { portability?.checkSymlink(at: relative, target: target) }
                if !found, relative == wanted {
                    found = true
                    switch entry.kind {
                    case .file:
                        let data = try reader.readData()
                        file = data
                        portability?.checkFile(at: relative, contents: data, mode: entry.mode)
                    case .hardLink: hardLinkTarget = entry.linkTarget
                    default: break
                    }
                    if tally == nil && portability == nil { break }
                } else if entry.kind == .file, var scan = portability?.startFile(at: relative, mode: entry.mode, size: entry.size, keepsELF: true) {
                    // Only files: a hard link's data went past under its first name, and was looked at there.
                    try reader.readBlocks { scan.consume($0) }
                    portability?.finish(scan)
                }
            }
            // A hard link's data sits with the entry it links to, which came earlier.
            if let target = hardLinkTarget, case let .inside(targetPath) = ArchivePath.resolve(target, stripAppPrefix: true),
               targetPath != wanted {
                file = try readFile(targetPath, from: slug)
            }
            return (file, tally, portability)
        }
    }
}

/// What one pass over a slug found (`SlugReader.survey`).
public struct SlugSurvey: Sendable {
    /// The file asked for, nil when the slug has no such file.
    public var file: Data?
    /// Bytes of every file under `./app/`, uncompressed.
    public var uncompressedSize: Int64
    /// The largest folders one and two levels under the app, largest first, at most 10.
    public var largestFolders: [FolderSize]
    /// What would not travel to a dyno, in the slug's order; empty when not checked.
    public var portability: [PortabilityFinding]
}

/// Where an archive entry lands, decided from its name alone.
enum ArchivePath: Equatable {
    /// The app folder itself (`./app/`).
    case root
    /// A path relative to the extraction folder, "/"-separated, no `.` or `..`.
    case inside(String)
    /// Not under `./app/` (ignored when stripping the prefix).
    case outside
    /// Absolute or climbing out with `..`.
    case unsafe

    static func resolve(_ name: String, stripAppPrefix: Bool) -> ArchivePath {
        if let usual = resolveUsual(name, stripAppPrefix: stripAppPrefix) { return usual }
        if name.hasPrefix("/") { return .unsafe }
        var parts = name.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") { return .unsafe }
        if stripAppPrefix {
            guard parts.first == "app" else { return .outside }
            parts.removeFirst()
        }
        return parts.isEmpty ? .root : .inside(parts.joined(separator: "/"))
    }

    /// The usual name (`./app/a/b`, `./app/a/`: no empty, `.` or `..` part after the first
    /// `./`) resolved from its bytes without splitting it, nil for any other name. `inspect`
    /// resolves every entry of a slug, and splitting and joining took a tenth of its time.
    private static func resolveUsual(_ name: String, stripAppPrefix: Bool) -> ArchivePath? {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var bytes = name.utf8[...]
        if bytes.starts(with: [dot, slash]) { bytes = bytes.dropFirst(2) }
        if bytes.last == slash { bytes = bytes.dropLast() }
        var partStart = bytes.startIndex
        for index in bytes.indices where bytes[index] == slash {
            guard isUsualPart(bytes[partStart..<index]) else { return nil }
            partStart = bytes.index(after: index)
        }
        guard isUsualPart(bytes[partStart...]) else { return nil }
        var path = Substring(bytes)
        if stripAppPrefix {
            if path == "app" { return .root }
            guard path.utf8.starts(with: "app/".utf8) else { return nil }
            path = path.dropFirst(4)
        }
        return .inside(String(path))
    }

    private static func isUsualPart(_ part: Substring.UTF8View) -> Bool {
        let dot = UInt8(ascii: ".")
        return !part.isEmpty && !part.elementsEqual([dot]) && !part.elementsEqual([dot, dot])
    }

    /// Whether a relative symlink at `path` resolves (by its text) to somewhere in the folder.
    static func symlinkStaysInside(at path: String, target: String) -> Bool {
        if target.hasPrefix("/") || target.isEmpty { return false }
        var depth = path.split(separator: "/").count - 1
        for part in target.split(separator: "/") where part != "." {
            depth += part == ".." ? -1 : 1
            if depth < 0 { return false }
        }
        return true
    }
}
