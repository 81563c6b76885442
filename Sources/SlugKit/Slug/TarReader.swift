import CArchive
import Foundation

/// One entry of a tar archive, as read.
struct TarEntry {
    enum Kind { case file, directory, symlink, hardLink, other }
    var path: String
    var kind: Kind
    var size: Int64
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
        guard let archive = archive_read_new() else {
            throw PackError.io(path: path, reason: "libarchive could not start (out of memory)")
        }
        self.archive = archive
        self.path = path
        archive_read_support_filter_all(archive)
        archive_read_support_format_tar(archive)
        guard access(path, R_OK) == 0 else { throw PackError.io(path: path, reason: FileSystem.describe(errno)) }
        guard archive_read_open_filename(archive, path, 1 << 20) == ARCHIVE_OK else { throw notReadable() }
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
            return TarEntry(path: path, kind: .hardLink, size: 0, linkTarget: String(cString: hardLink))
        }
        let type = UInt32(archive_entry_filetype(header))
        let kind: TarEntry.Kind = type == SLUGC_AE_IFREG ? .file : type == SLUGC_AE_IFDIR ? .directory
            : type == SLUGC_AE_IFLNK ? .symlink : .other
        let target = kind == .symlink ? archive_entry_symlink_utf8(header).map { String(cString: $0) } : nil
        return TarEntry(path: path, kind: kind, size: archive_entry_size(header), linkTarget: target)
    }

    /// The current entry's contents.
    func readData() throws(PackError) -> Data {
        var data = Data()
        var block: UnsafeRawPointer?
        var size = 0
        var offset: Int64 = 0
        while true {
            let status = archive_read_data_block(archive, &block, &size, &offset)
            if status == ARCHIVE_EOF { return data }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else { throw notReadable() }
            if let block, size > 0 {
                // Sparse files come back with holes; fill them with zeros.
                if Int64(data.count) < offset { data.append(Data(count: Int(offset) - data.count)) }
                data.append(block.assumingMemoryBound(to: UInt8.self), count: size)
            }
        }
    }

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
