import Foundation

/// Why packing or reading a slug failed. Each case reads as a sentence that names the file.
public enum PackError: Error, Sendable, Equatable {
    /// The slug is larger than the limit; the largest folders ("lib/") and files at the app
    /// root say where to look.
    case tooLarge(size: Int64, limit: Int64, largestFolders: [FolderSize])
    /// Reading or writing a file failed.
    case io(path: String, reason: String)
    /// The file is not a gzip tarball slugc can read.
    case notASlug(path: String, reason: String)
    /// An archive entry would land outside the folder it is extracted to.
    case unsafeEntry(archive: String, entry: String)
    /// An archive whose files add up to more than `limit` bytes (a decompression bomb, or a mistake).
    case archiveTooLarge(archive: String, limit: Int64)
    /// The task packing it was cancelled (SIGINT or SIGTERM in the CLI); nothing was written.
    case cancelled(path: String)
}

/// How far unpacking an archive (a source tarball, a buildpack `.tgz`) may go.
public enum ArchiveLimits {
    /// Bytes of files an archive may expand to: far beyond any app or buildpack, well short
    /// of filling a build machine's disk from a small, highly compressed archive.
    public static let defaultExpansion: Int64 = 4 << 30
}

extension PackError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .tooLarge(size, limit, folders):
            var text = "Compiled slug size: \(ByteCount.format(size)) is too large (max is \(ByteCount.format(limit))). Remove what the app does not need at run time (list it in .slugignore) or raise --max-size."
            if !folders.isEmpty {
                text += "\nLargest folders and files:" + folders.map { "\n  \(ByteCount.format($0.bytes))  \($0.path)" }.joined()
            }
            return text
        case let .io(path, reason):
            // Outside slugc's own folders, a pack writes only the slug: a full or read-only
            // file system there is -o's. Other errors (a source file it may not read) say no place.
            let writing = [ENOSPC, EDQUOT, EROFS].contains(IOFailure.code(of: reason) ?? 0)
            let place = IOFailure.place(of: path) ?? (writing ? .output : nil)
            return "\(IOFailure.shown(path)): \(IOFailure.explained(reason, path: path, place: place))"
        case let .notASlug(path, reason):
            return "\(path) is not a slug (a gzip-compressed tar): \(reason)"
        case let .unsafeEntry(archive, entry):
            return "\(archive): refusing entry '\(entry)': it would be written outside the folder it is extracted to."
        case let .archiveTooLarge(archive, limit):
            return "\(archive) expands to more than \(ByteCount.format(limit)) when unpacked, so slugc stopped unpacking it. Leave out what it does not need, or raise the limit with --max-unpacked-size (or SLUGC_MAX_UNPACKED_SIZE)."
        case let .cancelled(path):
            return "Packing was cancelled, so no slug was written: \(path) was left as it was."
        }
    }
}

/// Human-readable sizes the way Heroku prints them ("502.5M").
public enum ByteCount {
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "K", "M", "G", "T"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes)B" : String(format: "%.1f%@", value, units[unit])
    }

    /// Parses "500M", "1G", "300000" (bytes); nil when it is not a size.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        let multipliers: [Character: Int64] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = Substring(trimmed)
        var multiplier: Int64 = 1
        if digits.hasSuffix("B") { digits = digits.dropLast() }
        if let last = digits.last, let m = multipliers[last] {
            multiplier = m
            digits = digits.dropLast()
        }
        guard let number = Double(digits), number >= 0 else { return nil }
        return Int64(number * Double(multiplier))
    }
}
