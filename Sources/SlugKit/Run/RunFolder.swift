import Foundation

/// The temporary folder of one `slugc run` (`TMPDIR/slugc-run-XXXXXX`), locked for as long as
/// the run lasts. A run that is killed (SIGKILL from a deploy server, the OOM killer) cannot
/// remove its folder, but the kernel drops its lock: the next run in the same TMPDIR removes
/// every `slugc-run-*` folder whose lock nobody holds, so stale extractions do not pile up.
final class RunFolder: @unchecked Sendable {
    let url: URL
    private let lock: Int32

    /// The lock file's name inside the folder; it is made and locked before anything is extracted.
    static let lockName = ".slugc-run-lock"

    /// Sweeps stale folders left by killed runs, then makes and locks a new one.
    init(in temporaryDirectory: URL) throws {
        Self.removeStale(in: temporaryDirectory)
        var template = Array(temporaryDirectory.appendingPathComponent("slugc-run-XXXXXX").path.utf8CString)
        guard let made = mkdtemp(&template) else {
            throw PackError.io(path: temporaryDirectory.path, reason: "cannot create a temporary folder: \(IOFailure.reason(errno, path: temporaryDirectory.path, place: .temporary))")
        }
        url = URL(fileURLWithPath: String(cString: made), isDirectory: true)
        // O_CLOEXEC: the app must not hold the lock, or a folder whose slugc is gone would
        // look alive for as long as an orphaned app runs (and its files are its own anyway).
        let descriptor = open(url.appendingPathComponent(Self.lockName).path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let reason = IOFailure.reason(errno, path: url.path, place: .temporary)
            if descriptor >= 0 { close(descriptor) }
            TreeRemover.remove(url.path)
            throw PackError.io(path: url.path, reason: "cannot lock the run folder: \(reason)")
        }
        lock = descriptor
    }

    /// Removes the folder (everything in it, in one pass), then lets go of the lock.
    func remove() {
        TreeRemover.remove(url.path)
        close(lock)
    }

    /// Removes each `slugc-run-*` folder in `temporaryDirectory` that this user owns and whose
    /// lock no process holds. A folder without a lock file is left unless it is an hour old:
    /// a run makes its lock right after the folder, so only a run killed in between (or one of
    /// an older slugc) leaves such a folder, and an hour is far beyond that moment.
    static func removeStale(in temporaryDirectory: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory.path) else { return }
        for name in names where name.hasPrefix("slugc-run-") {
            let folder = temporaryDirectory.appendingPathComponent(name).path
            var info = stat()
            // Never another user's folder in a shared /tmp, and never through a link.
            guard lstat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid() else { continue }
            let descriptor = open(folder + "/" + lockName, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
            if descriptor < 0 {
                guard errno == ENOENT, time(nil) - info.st_mtim.tv_sec > 3600 else { continue }
                TreeRemover.remove(folder)
                continue
            }
            defer { close(descriptor) }
            // Held by a live run: leave it. Free: its run is gone, and holding the lock while
            // removing keeps two sweeping runs from racing each other.
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0, !isInUse(folder) else { continue }
            TreeRemover.remove(folder)
        }
    }

    /// Whether a process works in `folder`: an app whose slugc was SIGKILLed keeps running (and
    /// under `--root`, unshare and the setup shell keep the run folder as their working folder),
    /// and its files must not be removed under it.
    static func isInUse(_ folder: String) -> Bool {
        guard let pids = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return false }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        for pid in pids where pid.first?.isNumber == true {
            let count = readlink("/proc/\(pid)/cwd", &buffer, buffer.count - 1)
            guard count > 0 else { continue }
            let cwd = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if cwd == folder || cwd.hasPrefix(folder + "/") { return true }
        }
        return false
    }
}
