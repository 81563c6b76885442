import Foundation

/// A regular file in the tar stream, or the part of a large one that lies in one block, whose
/// bytes are read by the thread that compresses its block, not by the one walking the tree.
///
/// Opening, reading and closing cost the walk about 12 µs per file, most of a pack's
/// single-threaded work on an app of many small files; deferred, they spread over the
/// compression threads, and a block the file index (`PackFileIndex`) knows is not read at all.
/// A large file's data is cut every `BlockCuts.target` bytes, one part per block.
struct DeferredFile: Sendable {
    /// Where the part's bytes start in its block (set by `BlockPipeline.appendDeferred`).
    var offset = 0
    /// Where the part starts in the file, and its bytes.
    var fileOffset: Int64 = 0
    var length = 0
    /// The folder being packed, shared by every file of the pack (not a new string each).
    let root: String
    /// Path relative to the app root, as portability findings name it.
    let relative: String
    /// Absolute path, to open it and to name it in errors: made only when needed, on the
    /// thread that reads the file (most files of a rebuild are never opened).
    var path: String { root + "/" + relative }
    let mode: UInt32
    /// What `lstat` said as the walk listed it; the file's data in the slug is `stamp.size` bytes.
    let stamp: FileStamp
    /// The entry's position in the walk, so findings come out in the slug's order.
    let ordinal: Int

    /// The whole file (`part(at:length:)` cuts it).
    init(root: String, relative: String, mode: UInt32, stamp: FileStamp, ordinal: Int) {
        self.root = root
        self.relative = relative
        self.mode = mode
        self.stamp = stamp
        self.ordinal = ordinal
        length = Int(stamp.size)
    }

    /// `length` bytes of the file from `fileOffset`.
    func part(at fileOffset: Int64, length: Int) -> DeferredFile {
        var part = self
        part.fileOffset = fileOffset
        part.length = length
        return part
    }

    /// Whether this is the whole file, not a part of a large one.
    var isWhole: Bool { fileOffset == 0 && Int64(length) == stamp.size }

    /// Reads the part's `length` bytes into `destination`: zeros after the end of a file that
    /// shrank since the listing, never more than the listing said (as a streamed file is stored).
    /// The file opened must be the one listed (same device and inode), never a symlink or a
    /// FIFO that took its place.
    func read(into destination: UnsafeMutableRawBufferPointer) throws(PackError) {
        guard !destination.isEmpty else { return }  // an empty file: nothing to open
        let descriptor = try openListed()
        defer { close(descriptor) }
        try Self.read(descriptor, at: fileOffset, into: destination, path: path)
    }

    /// The `count` bytes before the part (fewer at the file's start), for the build-path search.
    func bytesBefore(_ count: Int) throws(PackError) -> [UInt8] {
        let start = max(fileOffset - Int64(count), 0)
        var bytes = [UInt8](repeating: 0, count: Int(fileOffset - start))
        guard !bytes.isEmpty else { return [] }
        let descriptor = try openListed()
        defer { close(descriptor) }
        let failure = bytes.withUnsafeMutableBytes { buffer -> PackError? in
            do throws(PackError) {
                try Self.read(descriptor, at: start, into: buffer, path: path)
                return nil
            } catch { return error }
        }
        if let failure { throw failure }
        return bytes
    }

    /// The file, opened for reading; the caller closes it. It must be the one listed (same
    /// device and inode), never a symlink or a FIFO that took its place.
    func openListed() throws(PackError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw PackError.io(path: path, reason: FileSystem.describe(errno)) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let reason = FileSystem.describe(errno)
            close(descriptor)
            throw PackError.io(path: path, reason: reason)
        }
        guard FileSystem.isRegular(info), FileIdentity(info) == stamp.identity else {
            close(descriptor)
            throw PackError.io(path: path, reason: "the file was replaced while it was being packed; pack again once nothing changes the folder")
        }
        return descriptor
    }

    private static func read(_ descriptor: Int32, at start: Int64, into destination: UnsafeMutableRawBufferPointer,
                             path: @autoclosure () -> String) throws(PackError) {
        var filled = 0
        while filled < destination.count {
            let count = pread(descriptor, destination.baseAddress! + filled, destination.count - filled, off_t(start) + off_t(filled))
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw PackError.io(path: path(), reason: FileSystem.describe(errno)) }
            if count == 0 { break }
            filled += count
        }
        if filled < destination.count {
            UnsafeMutableRawBufferPointer(rebasing: destination[filled...]).initializeMemory(as: UInt8.self, repeating: 0)
        }
    }
}

/// What identifies one version of a file's contents without reading them, as git's index does:
/// a write changes the size, the mtime or (always, set by the kernel) the ctime, and a replaced
/// file has another inode.
struct FileStamp: Sendable, Hashable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: Int64
    let changed: Int64

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Self.nanoseconds(info.st_mtim)
        changed = Self.nanoseconds(info.st_ctim)
    }

    var identity: FileIdentity { FileIdentity(device: device, inode: inode) }

    /// File systems keep timestamps at the kernel's clock tick (a few milliseconds), not to the
    /// nanosecond: a second write within the tick of the first leaves every field the same.
    /// A stamp is trusted only when the file last changed this long before the pack began, so
    /// any later write lands in a later tick and shows.
    static let settlingTime: Int64 = 2_000_000_000

    /// Whether a later write is sure to change the stamp: the file last changed `settling`
    /// nanoseconds (`settlingTime`) or more before `packStart` (nanoseconds since the epoch).
    func isSettled(before packStart: Int64, by settling: Int64) -> Bool {
        max(modified, changed) < packStart - settling
    }

    /// The stamp's bytes, for the file index's fingerprints.
    func append(to bytes: inout [UInt8]) {
        for value in [device, inode, UInt64(bitPattern: size), UInt64(bitPattern: modified), UInt64(bitPattern: changed)] {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    static func nanoseconds(_ time: timespec) -> Int64 {
        Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
