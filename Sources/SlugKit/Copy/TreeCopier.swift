import Foundation

/// Copies a directory tree the way `cp -a` does, for the pipeline's copy stage.
public enum TreeCopier {
    /// Copies `source` into `destination` (created if missing; its parent must exist): modes,
    /// mtimes, empty folders, symlinks as links (never followed, so nothing outside the tree
    /// is read) and hard links as links. File data moves with `copy_file_range` (in-kernel,
    /// reflinks where the file system can), falling back to read/write. `excluding(path, isDir)`
    /// gets "/"-separated paths relative to `source`; an excluded folder is skipped whole.
    ///
    /// The copy belongs to whoever runs it: owners and groups are never copied (`cp -a` as an
    /// ordinary user fails on a tree owned by someone else, such as a root-installed buildpack).
    /// With `ownerWritable`, folders are also left writable by their new owner, so a copy made
    /// from a read-only install can be written into and removed.
    ///
    /// FIFOs, sockets and devices are never copied; `skipping` gets each one's relative path.
    public static func copy(from source: URL, to destination: URL, ownerWritable: Bool = false,
                            skipping: (_ relativePath: String) -> Void = { _ in },
                            excluding: (_ relativePath: String, _ isDirectory: Bool) -> Bool) throws(PackError) {
        try withoutActuallyEscaping(excluding) { (excluding) throws(PackError) in
            try withoutActuallyEscaping(skipping) { (skipping) throws(PackError) in
                var copier = TreeCopy(source: source.path, destination: destination.path, excluding: excluding, skipping: skipping)
                copier.folderModeBits = ownerWritable ? 0o700 : 0
                try copier.run()
            }
        }
    }
}

/// `copy_file_range(2)`, looked up at run time: Glibc's Swift module hides it behind `_GNU_SOURCE`.
private typealias CopyFileRange = @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int
private let copyFileRange: CopyFileRange? = {
    guard let symbol = dlsym(nil, "copy_file_range") else { return nil }
    return unsafeBitCast(symbol, to: CopyFileRange.self)
}()

private struct TreeCopy {
    let source: String
    let destination: String
    let excluding: (String, Bool) -> Bool
    let skipping: (String) -> Void
    /// Bits added to every copied folder's mode.
    var folderModeBits: mode_t = 0
    private var linked: [FileIdentity: String] = [:]
    private var buffer: [UInt8] = []

    init(source: String, destination: String, excluding: @escaping (String, Bool) -> Bool, skipping: @escaping (String) -> Void) {
        self.source = source
        self.destination = destination
        self.excluding = excluding
        self.skipping = skipping
    }

    mutating func run() throws(PackError) {
        var info = stat()
        guard stat(source, &info) == 0 else { throw PackError.io(path: source, reason: FileSystem.describe(errno)) }
        guard FileSystem.isDirectory(info) else { throw PackError.io(path: source, reason: "not a directory; pass the folder to copy") }
        if mkdir(destination, 0o700) != 0 && errno != EEXIST {
            throw PackError.io(path: destination, reason: FileSystem.describe(errno))
        }
        try copyFolder("")
        try finishFolder(destination, info)
    }

    private mutating func copyFolder(_ relative: String) throws(PackError) {
        let from = relative.isEmpty ? source : source + "/" + relative
        for name in try FileSystem.sortedNames(in: from) {
            let rel = relative.isEmpty ? name : relative + "/" + name
            let sourcePath = source + "/" + rel
            let target = destination + "/" + rel
            let info = try FileSystem.status(of: sourcePath)
            if excluding(rel, FileSystem.isDirectory(info)) { continue }
            if FileSystem.isDirectory(info) {
                // Owner-writable while filling it; the real mode comes after its contents.
                guard mkdir(target, 0o700) == 0 || errno == EEXIST else {
                    throw PackError.io(path: target, reason: FileSystem.describe(errno))
                }
                try copyFolder(rel)
                try finishFolder(target, info)
            } else if FileSystem.isSymlink(info) {
                let link = try FileSystem.symlinkTarget(of: sourcePath)
                guard symlink(link, target) == 0 else { throw PackError.io(path: target, reason: FileSystem.describe(errno)) }
                var times = [info.st_atim, info.st_mtim]
                utimensat(AT_FDCWD, target, &times, AT_SYMLINK_NOFOLLOW)
            } else if FileSystem.isRegular(info) {
                if info.st_nlink > 1 {
                    let identity = FileIdentity(info)
                    if let first = linked[identity] {
                        guard link(first, target) == 0 else { throw PackError.io(path: target, reason: FileSystem.describe(errno)) }
                        continue
                    }
                    linked[identity] = target
                }
                try copyFile(sourcePath, to: target, info)
            } else {
                // Sockets, FIFOs and devices have no place in a build; they are not copied.
                skipping(rel)
            }
        }
    }

    private func finishFolder(_ path: String, _ info: stat) throws(PackError) {
        var times = [info.st_atim, info.st_mtim]
        guard chmod(path, info.st_mode & 0o7777 | folderModeBits) == 0, utimensat(AT_FDCWD, path, &times, 0) == 0 else {
            throw PackError.io(path: path, reason: FileSystem.describe(errno))
        }
    }

    private mutating func copyFile(_ from: String, to target: String, _ info: stat) throws(PackError) {
        let input = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard input >= 0 else { throw PackError.io(path: from, reason: FileSystem.describe(errno)) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw PackError.io(path: target, reason: FileSystem.describe(errno)) }
        defer { close(output) }
        var inKernel = copyFileRange != nil
        while true {
            if inKernel {
                let count = copyFileRange?(input, nil, output, nil, 1 << 30, 0) ?? -1
                if count > 0 { continue }
                if count == 0 { break }
                if errno == EINTR { continue }
                // Across file systems on old kernels, or on file systems without support.
                guard errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP else {
                    throw PackError.io(path: target, reason: FileSystem.describe(errno))
                }
                inKernel = false
            }
            if buffer.isEmpty { buffer = [UInt8](repeating: 0, count: 1 << 20) }
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw PackError.io(path: from, reason: FileSystem.describe(errno))
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress.map { $0 + offset }, count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written >= 0 else { throw PackError.io(path: target, reason: FileSystem.describe(errno)) }
                offset += written
            }
        }
        var times = [info.st_atim, info.st_mtim]
        guard fchmod(output, info.st_mode & 0o7777) == 0, futimens(output, &times) == 0 else {
            throw PackError.io(path: target, reason: FileSystem.describe(errno))
        }
    }
}
