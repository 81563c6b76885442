import Foundation

extension SourceError {
    /// Fails fast, before any work, when the slug could not be written where asked, and returns
    /// the file to write: `output` itself, or the regular file a symlink there leads to.
    ///
    /// The slug is written to a temporary file beside it and renamed over it, and a rename
    /// replaces a folder's entry whatever it is: a device (as root, `-o /dev/null` would have
    /// destroyed `/dev/null`), a FIFO, a socket, a symlink. So the path must be missing or a
    /// regular file. A symlink is written through: the file it leads to is replaced and the
    /// link stays, as `cp` and a shell's `>` do — replacing the link itself would turn
    /// `/dev/stdout` into a file. Refused: a link to anything but a regular file, a link
    /// through `/proc` (`/dev/stdout`: use `-o -`), and a link in a sticky world-writable
    /// folder (`/tmp`) that neither this user nor the folder's owner made, which is how a
    /// planted link would redirect a root build's slug onto another file (the rule of the
    /// kernel's fs.protected_symlinks).
    @discardableResult
    static func checkOutput(_ output: URL) throws -> URL {
        let folder = output.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceError.outputFolderMissing(output: output.path, folder: folder.path)
        }
        let target = try followLinks(output)
        var info = stat()
        if lstat(target.path, &info) == 0, let kind = kindName(info.st_mode) {
            throw SourceError.outputNotAFile(output: output.path, kind: target == output ? kind : "a symlink to \(kind)")
        }
        // The temporary file is created in the target's folder: it must take new files.
        let targetFolder = target.deletingLastPathComponent().path
        if access(targetFolder, W_OK) != 0 {
            let reason = errno == EROFS ? "it is on a read-only file system"
                : errno == EACCES ? "you may not create files there" : FileSystem.describe(errno)
            throw SourceError.outputNotWritable(output: output.path, folder: targetFolder, reason: reason)
        }
        return target
    }

    /// The path a chain of symlinks at `output` ends at (the last, missing or not a link).
    private static func followLinks(_ output: URL) throws -> URL {
        var current = output.standardizedFileURL
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current.path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return current }
            let folder = current.deletingLastPathComponent()
            var folderInfo = stat()
            if stat(folder.path, &folderInfo) == 0, folderInfo.st_mode & S_ISVTX != 0, folderInfo.st_mode & S_IWOTH != 0,
               info.st_uid != geteuid(), info.st_uid != folderInfo.st_uid {
                throw SourceError.outputNotAFile(output: output.path, kind: "a symlink another user made in the shared folder \(folder.path)")
            }
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current.path) else { return current }
            let next = destination.hasPrefix("/") ? URL(fileURLWithPath: destination)
                : folder.appendingPathComponent(destination)
            current = next.standardizedFileURL
            if current.path == "/proc" || current.path.hasPrefix("/proc/") {
                throw SourceError.outputNotAFile(output: output.path, kind: "a link to an open file of a process (\(current.path))")
            }
        }
        throw SourceError.outputNotAFile(output: output.path, kind: "a chain of more than 40 symlinks")
    }

    /// Nil for a regular file, else "a folder", "a FIFO (named pipe)" …
    private static func kindName(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symlink"
        default: return "not a regular file"
        }
    }
}
