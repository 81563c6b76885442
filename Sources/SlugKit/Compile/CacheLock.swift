import Foundation

/// An exclusive lock on a cache folder, so builds sharing `--cache-dir` take turns rather
/// than corrupting it. Held from before the first compile until the last one ends.
final class CacheLock: @unchecked Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Waits (without blocking a thread) until the lock is free; `onWait` is called once if it is not.
    static func acquire(_ directory: URL, onWait: () -> Void) async throws -> CacheLock {
        let path = directory.appendingPathComponent(".slugc-lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CompileError.io(path: path, reason: "cannot open the cache lock: \(IOFailure.reason(errno, path: path, place: IOFailure.place(of: path) ?? .cache))")
        }
        var told = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if !told { onWait(); told = true }
            do { try await Task.sleep(for: .milliseconds(200)) } catch {
                close(fd)
                throw CompileError.cancelled
            }
        }
        return CacheLock(descriptor: fd)
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
