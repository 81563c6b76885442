import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Glob patterns split into path segments: `*`, `?` and `[..]` match within one segment,
/// a `**` segment matches any number of segments. Shared by `glob` rules and `.slugignore`.
struct PathPattern: Sendable, Equatable {
    var segments: [String]

    init(_ pattern: String) {
        segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    init(segments: [String]) {
        self.segments = segments
    }

    /// Whether one name matches one segment pattern (no `/` in either).
    static func segment(_ pattern: String, matches name: String) -> Bool {
        if !pattern.contains(where: { "*?[\\".contains($0) }) { return pattern == name }
        // fnmatch without FNM_PERIOD: `*` matches dot files too, as in .gitignore.
        return fnmatch(pattern, name, 0) == 0
    }

    static func isLiteral(_ segment: String) -> Bool {
        !segment.contains(where: { "*?[\\".contains($0) })
    }

    /// Whether `path` (already split into segments) matches the whole pattern.
    /// A trailing `**` needs at least one segment, as `dir/**` means "everything inside dir".
    func matches(_ path: [String]) -> Bool {
        var visited = Set<Int>()
        return match(0, path[...], &visited)
    }

    private func match(_ index: Int, _ path: ArraySlice<String>, _ visited: inout Set<Int>) -> Bool {
        // (pattern index, path start) pairs already tried: keeps several `**` from going exponential.
        let key = index * 100_003 + path.startIndex
        if visited.contains(key) { return false }
        visited.insert(key)
        guard index < segments.count else { return path.isEmpty }
        let segment = segments[index]
        if segment == "**" {
            if index == segments.count - 1 { return !path.isEmpty }
            var rest = path
            while true {
                if match(index + 1, rest, &visited) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        }
        guard let first = path.first, Self.segment(segment, matches: first) else { return false }
        return match(index + 1, path.dropFirst(), &visited)
    }
}

/// What `lstat` says a path is, without following a final symlink.
enum EntryKind: Equatable {
    case missing, file, directory, symlink, other

    static func of(_ path: String) -> EntryKind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// The kind of what a path finally names, following symlinks.
    static func following(_ path: String) -> EntryKind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        default: return .other
        }
    }
}
