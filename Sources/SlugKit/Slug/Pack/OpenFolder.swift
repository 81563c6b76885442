import CDirectoryEntries
import Foundation

/// A folder held open while the walk lists it, so every entry is looked up relative to it
/// (`fstatat`, `openat`, `readlinkat`): the kernel resolves one name instead of the whole path
/// from the root for each of the tens of thousands of files in an app.
///
/// Listed with `getdents64` on the descriptor rather than through a `DIR` stream:
/// `fdopendir` costs an `fstat` and two `fcntl` per folder, and a subfolder is opened and
/// `fstat`ed directly (`openFolder`) instead of `lstat`ed by name first. Five system calls per
/// folder instead of eight; an app has thousands of folders.
///
/// `path` is only for error messages; nothing is ever looked up by it after opening.
final class OpenFolder: @unchecked Sendable {
    let path: String
    private let descriptor: Int32

    /// Bytes of `linux_dirent64` records fetched per `getdents64` call: most folders of an app
    /// fit in one call (and one more that says the listing ended).
    private static let listingBufferSize = 64 * 1024

    /// The root folder; a symlink to it is followed (it is what the user named).
    convenience init(path: String) throws(PackError) {
        try self.init(descriptor: open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), path: path)
    }

    /// A folder inside `parent`, never through a symlink (it may have been swapped in since the `lstat`).
    convenience init(name: String, in parent: OpenFolder, path: String) throws(PackError) {
        try self.init(descriptor: Self.openFolderDescriptor(name, in: parent.descriptor), path: path)
    }

    private init(descriptor: Int32, path: String) throws(PackError) {
        guard descriptor >= 0 else { throw PackError.io(path: path, reason: FileSystem.describe(errno)) }
        self.path = path
        self.descriptor = descriptor
    }

    /// A folder that was open already (`openFolder`).
    private init(opened descriptor: Int32, path: String) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    private static func openFolderDescriptor(_ name: String, in parent: Int32) -> Int32 {
        openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    }

    /// The entries inside (no "." or "..") with their `d_type`, sorted by their UTF-8 bytes as `tar --sort=name`.
    func sortedEntries() throws(PackError) -> [(name: String, type: UInt8)] {
        var entries: [(name: String, type: UInt8, key: UInt64)] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.listingBufferSize, alignment: 8)
        defer { buffer.deallocate() }
        guard let start = buffer.baseAddress else { return [] }
        while true {
            let filled = slugc_getdents64(descriptor, start, buffer.count)
            if filled == 0 { break }
            guard filled > 0 else {
                if errno == EINTR { continue }
                if errno == ENOSYS { return try listWithDirectoryStream() }
                throw PackError.io(path: path, reason: FileSystem.describe(errno))
            }
            // struct linux_dirent64: d_ino (8 bytes), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated).
            var offset = 0
            while offset < filled {
                let recordLength = Int(start.load(fromByteOffset: offset + 16, as: UInt16.self))
                let type = start.load(fromByteOffset: offset + 18, as: UInt8.self)
                let namePointer = (start + offset + 19).assumingMemoryBound(to: CChar.self)
                offset += max(recordLength, 1)
                guard let name = String(validatingCString: namePointer) else {
                    throw PackError.io(path: path + "/" + String(cString: namePointer),
                                       reason: "the file name is not valid UTF-8; rename the file")
                }
                if name == "." || name == ".." { continue }
                entries.append((name, type, FileSystem.sortKey(of: UnsafeRawPointer(namePointer))))
            }
        }
        return FileSystem.sortedByName(entries)
    }

    /// `readdir(3)` where `getdents64` does not exist (not Linux).
    private func listWithDirectoryStream() throws(PackError) -> [(name: String, type: UInt8)] {
        let copy = dup(descriptor)
        guard copy >= 0, let stream = fdopendir(copy) else {
            let reason = FileSystem.describe(errno)
            if copy >= 0 { close(copy) }
            throw PackError.io(path: path, reason: reason)
        }
        defer { closedir(stream) }
        return try FileSystem.sortedEntries(of: stream, path: path)
    }

    /// `lstat` of an entry: the entry itself, never what a symlink points to.
    func status(of name: String, path: @autoclosure () -> String) throws(PackError) -> stat {
        var info = stat()
        guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            throw PackError.io(path: path(), reason: FileSystem.describe(errno))
        }
        return info
    }

    /// An entry the listing calls a folder, opened (never through a symlink) and then `fstat`ed
    /// (one name lookup instead of two); nil when that fails, so the caller falls back to
    /// `status(of:path:)` and reports errors as for any other entry.
    func openFolder(_ name: String, path: @autoclosure () -> String) -> (folder: OpenFolder, info: stat)? {
        let opened = Self.openFolderDescriptor(name, in: descriptor)
        guard opened >= 0 else { return nil }
        var info = stat()
        guard fstat(opened, &info) == 0, FileSystem.isDirectory(info) else {
            close(opened)
            return nil
        }
        return (OpenFolder(opened: opened, path: path()), info)
    }

    /// Where a symlink entry points, exactly as stored.
    func symlinkTarget(of name: String, path: @autoclosure () -> String) throws(PackError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(descriptor, name, &buffer, buffer.count - 1)
        guard count >= 0 else { throw PackError.io(path: path(), reason: FileSystem.describe(errno)) }
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
    func openFile(_ name: String, path: @autoclosure () -> String) throws(PackError) -> Int32 {
        let file = openat(descriptor, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard file >= 0 else { throw PackError.io(path: path(), reason: FileSystem.describe(errno)) }
        return file
    }
}
