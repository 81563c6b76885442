import Foundation

/// Removes a folder tree in one pass of `unlinkat` relative to each open folder: no path is
/// built or looked up again per file, nothing is followed, and a folder left read-only (Go's
/// module cache, `chmod -w` in a buildpack) is made writable only when a removal in it fails.
/// FileManager.removeItem stats every file through its full path, and removeTree used to walk
/// the tree a second time to chmod folders after a failed first try.
enum TreeRemover {
    /// Removes `path` (a folder, a file or a link) and everything under it; true when nothing is left.
    @discardableResult
    static func remove(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return unlink(path) == 0 || errno == ENOENT }
        var folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if folder < 0, errno == EACCES, chmod(path, 0o700) == 0 {
            folder = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        guard folder >= 0 else { return false }
        let emptied = removeContents(of: folder)
        close(folder)
        return emptied && (rmdir(path) == 0 || errno == ENOENT)
    }

    /// Empties the open folder `folder` (the descriptor stays open and owned by the caller).
    private static func removeContents(of folder: Int32) -> Bool {
        var madeWritable = false
        var complete = true
        for (name, isFolder) in entries(of: folder) {
            if isFolder {
                var child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if child < 0, errno == EACCES, fchmodat(folder, name, 0o700, 0) == 0 {
                    child = openat(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                }
                if child >= 0 {
                    if !removeContents(of: child) { complete = false }
                    close(child)
                } else if errno != ENOTDIR {
                    // ENOTDIR: it was replaced by a file since it was listed; unlink it below.
                    complete = false
                    continue
                }
            }
            let flags = isFolder ? AT_REMOVEDIR : 0
            if unlinkat(folder, name, flags) == 0 || errno == ENOENT { continue }
            if errno == ENOTDIR || errno == EISDIR, unlinkat(folder, name, isFolder ? 0 : AT_REMOVEDIR) == 0 { continue }
            // A read-only folder: its entries can be removed once its owner may write it.
            if (errno == EACCES || errno == EPERM), !madeWritable {
                madeWritable = true
                if fchmod(folder, 0o700) == 0, unlinkat(folder, name, flags) == 0 { continue }
            }
            complete = false
        }
        return complete
    }

    /// The names in an open folder, as bytes (a name need not be UTF-8), and whether each is a
    /// folder. Read whole before anything is removed, so removal cannot disturb the listing.
    private static func entries(of folder: Int32) -> [(name: [CChar], isFolder: Bool)] {
        let listing = dup(folder)
        guard listing >= 0 else { return [] }
        guard let stream = fdopendir(listing) else {
            close(listing)
            return []
        }
        defer { closedir(stream) }
        var found: [(name: [CChar], isFolder: Bool)] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { start in
                    Array(UnsafeBufferPointer(start: start, count: strlen(start) + 1))
                }
            }
            if name == [0x2E, 0] || name == [0x2E, 0x2E, 0] { continue }  // "." and ".."
            var isFolder = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isFolder = fstatat(folder, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            found.append((name, isFolder))
        }
        return found
    }
}
