import Foundation

/// A folder held open while the walk lists it, so every entry is looked up relative to it
/// (`fstatat`, `openat`, `readlinkat`): the kernel resolves one name instead of the whole path
/// from the root for each of the tens of thousands of files in an app.
///
/// `path` is only for error messages; nothing is ever looked up by it after opening.
final class OpenFolder {
    let path: String
    private let stream: OpaquePointer

    /// The root folder; a symlink to it is followed (it is what the user named).
    convenience init(path: String) throws(PackError) {
        try self.init(descriptor: open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), path: path)
    }

    /// A folder inside `parent`, never through a symlink (it may have been swapped in since the `lstat`).
    convenience init(name: String, in parent: OpenFolder, path: String) throws(PackError) {
        try self.init(descriptor: openat(parent.descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), path: path)
    }

    private init(descriptor: Int32, path: String) throws(PackError) {
        guard descriptor >= 0 else { throw PackError.io(path: path, reason: FileSystem.describe(errno)) }
        guard let stream = fdopendir(descriptor) else {
            let reason = FileSystem.describe(errno)
            close(descriptor)
            throw PackError.io(path: path, reason: reason)
        }
        self.path = path
        self.stream = stream
    }

    deinit {
        closedir(stream)
    }

    private var descriptor: Int32 { dirfd(stream) }

    /// The entries inside (no "." or "..") with their `d_type`, sorted by their UTF-8 bytes as `tar --sort=name`.
    func sortedEntries() throws(PackError) -> [(name: String, type: UInt8)] {
        try FileSystem.sortedEntries(of: stream, path: path)
    }

    /// `lstat` of an entry: the entry itself, never what a symlink points to.
    func status(of name: String, path: String) throws(PackError) -> stat {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw PackError.io(path: path, reason: FileSystem.describe(errno))
        }
        return info
    }

    /// Where a symlink entry points, exactly as stored.
    func symlinkTarget(of name: String, path: String) throws(PackError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(descriptor, name, &buffer, buffer.count - 1)
        guard count >= 0 else { throw PackError.io(path: path, reason: FileSystem.describe(errno)) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An entry the directory listing calls a regular file, opened and then `fstat`ed (one name
    /// lookup instead of two); nil when that fails or it is no longer a regular file, so the
    /// caller falls back to `status(of:path:)` and reports errors as for any other entry.
    func openRegularFile(_ name: String) -> (descriptor: Int32, info: stat)? {
        // Non-blocking, in case a FIFO took the file's place since the listing.
        let file = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard file >= 0 else { return nil }
        var info = stat()
        guard fstat(file, &info) == 0, FileSystem.isRegular(info) else {
            close(file)
            return nil
        }
        return (file, info)
    }

    /// A regular file entry opened for reading (never through a symlink); the caller closes it.
    func openFile(_ name: String, path: String) throws(PackError) -> Int32 {
        let file = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard file >= 0 else { throw PackError.io(path: path, reason: FileSystem.describe(errno)) }
        return file
    }
}
