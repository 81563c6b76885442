import Foundation

/// What to do about a failed read or write, by errno: "No space left on device" alone leaves the
/// user to guess which of the places slugc writes to (the slug at `-o`, the build folder under
/// TMPDIR, `--cache-dir`) is full, and what to change.
enum IOFailure {
    /// Which of slugc's places a path is in, so the fix can name the option that moves it.
    enum Place: Sendable {
        /// The slug (`-o`).
        case output
        /// slugc's own folder under TMPDIR (`slugc-build-…`, `slugc-run-…`).
        case temporary
        /// The `--cache-dir` folder (or the build's own cache when none is given).
        case cache

        var moveIt: String {
            switch self {
            case .output: return "point -o at another file system"
            case .temporary: return "point TMPDIR at another file system (slugc builds in a folder there)"
            case .cache: return "point --cache-dir at another file system"
            }
        }
    }

    /// The place a path is in when its name says so: inside a folder slugc made under TMPDIR.
    static func place(of path: String) -> Place? {
        insideTemporaryFolder(path) == nil ? nil : .temporary
    }

    /// For a path inside a folder slugc made under TMPDIR: TMPDIR, and the path inside the
    /// folder (`app/big.bin`). Messages name those, as the folder itself is gone once they are read.
    static func insideTemporaryFolder(_ path: String) -> (temporaryDirectory: String, inside: String)? {
        for marker in ["/slugc-build-", "/slugc-run-"] {
            guard let start = path.range(of: marker) else { continue }
            let parent = String(path[..<start.lowerBound])
            let rest = path[start.upperBound...]
            let inside = rest.firstIndex(of: "/").map { String(rest[rest.index(after: $0)...]) } ?? ""
            return (parent.isEmpty ? "/" : parent, inside)
        }
        return nil
    }

    /// How a message names `path`: under TMPDIR without the folder's random name.
    static func shown(_ path: String) -> String {
        guard let (parent, inside) = insideTemporaryFolder(path) else { return path }
        return inside.isEmpty ? "slugc's temporary folder in \(parent)" : "\(inside) in slugc's temporary folder in \(parent)"
    }

    /// The errno whose system sentence `reason` starts with, for the errors that have a fix.
    static func code(of reason: String) -> Int32? {
        // ENFILE before EMFILE: its sentence starts with EMFILE's.
        [ENOSPC, EDQUOT, EACCES, EPERM, EROFS, ENFILE, EMFILE].first { reason.hasPrefix(String(cString: strerror($0))) }
    }

    /// The errno behind a Foundation file error (FileManager wraps it in NSCocoaErrorDomain).
    static func code(of error: any Error) -> Int32? {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return Int32(error.code) }
        return (error.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap { $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil }
    }

    /// The system's sentence for `code`, followed by what to do about it when there is a fix.
    static func reason(_ code: Int32, path: String, place: Place?) -> String {
        explained(String(cString: strerror(code)), path: path, place: place)
    }

    /// `reason` followed by what to do about it, when its errno has a known fix.
    static func explained(_ reason: String, path: String, place: Place?) -> String {
        guard let code = code(of: reason), let fix = fix(for: code, path: path, place: place) else { return reason }
        return reason.hasSuffix(".") ? "\(reason) \(fix)" : "\(reason): \(fix)"
    }

    /// The fix for `code` at `path`, as the second half of a sentence; nil when there is none to give.
    static func fix(for code: Int32, path: String, place: Place?) -> String? {
        let elsewhere = place.map { ", or \($0.moveIt)" } ?? ""
        let fileSystem = insideTemporaryFolder(path).map { "the file system of TMPDIR (\($0.temporaryDirectory))" }
            ?? "the file system \(path) is on"
        switch code {
        case ENOSPC:
            return "free space on \(fileSystem)\(elsewhere), then run again."
        case EDQUOT:
            return "your disk quota on \(fileSystem) is used up: free some of it\(elsewhere), then run again."
        case EACCES, EPERM:
            let user = userName(getuid())
            guard let (folder, info) = nearestExisting(path) else { return "slugc runs as \(user), which may not use it." }
            let mode = String(info.st_mode & 0o7777, radix: 8)
            let owner = userName(info.st_uid)
            let access = owner == user ? "make it writable for \(user) (chmod u+w)" : "run slugc as \(owner), or give \(user) access (chown or chmod)"
            return "slugc runs as \(user), and \(shown(folder)) belongs to \(owner) (mode \(mode)): \(access)\(elsewhere)."
        case EROFS:
            return "remount it read-write\(elsewhere)."
        case EMFILE:
            var limit = rlimit()
            let soft = getrlimit(openFilesResource, &limit) == 0 ? " (\(limit.rlim_cur))" : ""
            return "slugc used up its limit of open files\(soft): raise it with ulimit -n, then run again."
        case ENFILE:
            return "the system has used up its open files (fs.file-max): end processes that hold many, or raise the limit, then run again."
        default:
            return nil
        }
    }

    private static var openFilesResource: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }

    /// `path`, or the nearest folder above it that exists, with its status: who may write there.
    private static func nearestExisting(_ path: String) -> (String, stat)? {
        var current = path
        var info = stat()
        while !current.isEmpty {
            if lstat(current, &info) == 0 { return (current, info) }
            guard let slash = current.lastIndex(of: "/") else { return nil }
            current = slash == current.startIndex ? (current == "/" ? "" : "/") : String(current[..<slash])
        }
        return nil
    }

    /// getpwuid_r, not getpwuid: builds in one process may fail at the same moment.
    private static func userName(_ uid: uid_t) -> String {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &found) == 0, found != nil, let name = entry.pw_name else {
            return "uid \(uid)"
        }
        return String(cString: name)
    }
}
