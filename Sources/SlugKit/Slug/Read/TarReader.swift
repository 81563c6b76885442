import CArchive
import Foundation

/// One entry of a tar archive, as read.
struct TarEntry {
    enum Kind { case file, directory, symlink, hardLink, other }
    var path: String
    var kind: Kind
    var size: Int64
    /// Permission bits (`0o755`).
    var mode: UInt32
    /// Symlink target or hard link target, as stored.
    var linkTarget: String?
}

/// Reads tar archives (any compression libarchive knows) entry by entry, and writes entries
/// to disk. The only place that owns a reading `archive *` and the `archive_write_disk` one.
///
/// Callers run it inside `FileSystem.withUTF8Locale`, so non-ASCII names convert.
final class TarReader {
    private let archive: OpaquePointer
    private var entry: OpaquePointer?
    private var disk: OpaquePointer?
    let path: String

    init(path: String) throws(PackError) {
        archive = try Self.newReader(path)
        self.path = path
        guard access(path, R_OK) == 0 else { throw PackError.io(path: path, reason: FileSystem.describe(errno)) }
        guard archive_read_open_filename(archive, path, 1 << 20) == ARCHIVE_OK else { throw notReadable() }
    }

    /// Reads from an open descriptor (a pipe: standard input), which stays open; `name` is for messages.
    init(fileDescriptor: Int32, name: String) throws(PackError) {
        archive = try Self.newReader(name)
        path = name
        guard archive_read_open_fd(archive, fileDescriptor, 1 << 20) == ARCHIVE_OK else { throw notReadable() }
    }

    private static func newReader(_ name: String) throws(PackError) -> OpaquePointer {
        guard let archive = archive_read_new() else {
            throw PackError.io(path: name, reason: "libarchive could not start (out of memory)")
        }
        archive_read_support_filter_all(archive)
        archive_read_support_format_tar(archive)
        return archive
    }

    deinit {
        archive_read_free(archive)
        if let disk { archive_write_free(disk) }
    }

    /// The next entry's header, or nil at the end of the archive.
    func next() throws(PackError) -> TarEntry? {
        var header: OpaquePointer?
        let status = archive_read_next_header(archive, &header)
        if status == ARCHIVE_EOF { return nil }
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let header else { throw notReadable() }
        entry = header
        let path = archive_entry_pathname_utf8(header).map { String(cString: $0) } ?? ""
        if let hardLink = archive_entry_hardlink_utf8(header) {
            return TarEntry(path: path, kind: .hardLink, size: 0, mode: UInt32(archive_entry_perm(header)),
                            linkTarget: String(cString: hardLink))
        }
        let type = UInt32(archive_entry_filetype(header))
        let kind: TarEntry.Kind = type == SLUGC_AE_IFREG ? .file : type == SLUGC_AE_IFDIR ? .directory
            : type == SLUGC_AE_IFLNK ? .symlink : .other
        let target = kind == .symlink ? archive_entry_symlink_utf8(header).map { String(cString: $0) } : nil
        return TarEntry(path: path, kind: kind, size: archive_entry_size(header), mode: UInt32(archive_entry_perm(header)),
                        linkTarget: target)
    }

    /// The current entry's contents.
    func readData() throws(PackError) -> Data {
        var data = Data()
        try readBlocks { block in
            if let base = block.baseAddress { data.append(base.assumingMemoryBound(to: UInt8.self), count: block.count) }
        }
        return data
    }

    /// The current entry's contents handed over block by block as libarchive decompresses them,
    /// without collecting them: `inspect` looks at every file of a slug this way.
    func readBlocks(_ body: (UnsafeRawBufferPointer) -> Void) throws(PackError) {
        var block: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        var position: Int64 = 0
        while true {
            let status = archive_read_data_block(archive, &block, &size, &offset)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw notReadable() }
            // Sparse files come back with holes; they read as zeros.
            while position < offset {
                let hole = Int(min(offset - position, Int64(Self.zeros.count)))
                Self.zeros.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.prefix(hole))) }
                position += Int64(hole)
            }
            if let block, size > 0 {
                body(UnsafeRawBufferPointer(start: block, count: size))
                position += Int64(size)
            }
        }
    }

    private static let zeros = [UInt8](repeating: 0, count: 1 << 16)

    /// Writes the current entry to `destination` (an absolute path), hard links to
    /// `hardLinkDestination`. libarchive refuses to write through symlinks or `..` on its own,
    /// on top of the checks the caller made.
    func writeCurrent(to destination: String, hardLinkDestination: String?) throws(PackError) {
        guard let entry else { return }
        let disk = try diskWriter()
        // The locale (UTF-8) setters: the `_utf8` ones would make libarchive normalize the name to
        // NFC on its way to disk, and two names that differ only so would land on one file.
        archive_entry_copy_pathname(entry, destination)
        if let hardLinkDestination { archive_entry_copy_hardlink(entry, hardLinkDestination) }
        guard archive_write_header(disk, entry) == ARCHIVE_OK else { throw diskFailure(disk, destination) }
        if archive_entry_size(entry) > 0 && hardLinkDestination == nil {
            var block: UnsafeRawPointer?
            var size = 0
            var offset: Int64 = 0
            while true {
                let status = archive_read_data_block(archive, &block, &size, &offset)
                if status == ARCHIVE_EOF { break }
                guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw notReadable() }
                guard archive_write_data_block(disk, block, size, offset) >= 0 else { throw diskFailure(disk, destination) }
            }
        }
        guard archive_write_finish_entry(disk) == ARCHIVE_OK else { throw diskFailure(disk, destination) }
    }

    /// Applies the folder permissions held back until their contents were written.
    func finishWriting() throws(PackError) {
        guard let disk else { return }
        guard archive_write_close(disk) == ARCHIVE_OK else { throw diskFailure(disk, path) }
    }

    private func diskWriter() throws(PackError) -> OpaquePointer {
        if let disk { return disk }
        guard let disk = archive_write_disk_new() else {
            throw PackError.io(path: path, reason: "libarchive could not start (out of memory)")
        }
        let flags = ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
        archive_write_disk_set_options(disk, flags)
        self.disk = disk
        return disk
    }

    private func notReadable() -> PackError {
        let message = archive_error_string(archive).map { String(cString: $0) } ?? "unreadable archive"
        return PackError.notASlug(path: path, reason: message)
    }

    private func diskFailure(_ disk: OpaquePointer, _ destination: String) -> PackError {
        let message = archive_error_string(disk).map { String(cString: $0) } ?? "could not be written"
        return PackError.io(path: destination, reason: message)
    }
}
