import CArchive
import Foundation

/// Writes a pax tar stream with libarchive and hands every byte to a sink (no compression:
/// the block pipeline compresses). The only place that owns a writing `archive *`.
///
/// Entries are written exactly as described: uid/gid 0, no user or group names, the given
/// mtime, nothing else from the file system, so the stream is reproducible.
final class TarWriter {
    /// Receives the stream; a thrown error stops the archive.
    typealias Sink = (UnsafeRawBufferPointer) throws(PackError) -> Void

    private final class Context {
        let sink: Sink
        var error: PackError?
        init(sink: @escaping Sink) { self.sink = sink }
    }

    private let archive: OpaquePointer
    private let entry: OpaquePointer
    private let context: Context
    private let name: String
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    private var open = false

    /// `name` is the slug's path, for error messages.
    init(name: String, sink: @escaping Sink) throws(PackError) {
        guard let archive = archive_write_new(), let entry = archive_entry_new() else {
            throw PackError.io(path: name, reason: "libarchive could not start (out of memory)")
        }
        self.archive = archive
        self.entry = entry
        self.name = name
        context = Context(sink: sink)
        archive_write_set_format_pax_restricted(archive)
        let status = archive_write_open2(archive, Unmanaged.passUnretained(context).toOpaque(), nil,
            { _, client, bytes, length in
                guard let client, let bytes else { return 0 }
                let context = Unmanaged<Context>.fromOpaque(client).takeUnretainedValue()
                do throws(PackError) {
                    try context.sink(UnsafeRawBufferPointer(start: bytes, count: length))
                    return length
                } catch {
                    context.error = error
                    return -1
                }
            }, nil, nil)
        guard status == ARCHIVE_OK else { throw failure() }
        open = true
    }

    deinit {
        if open { archive_write_close(archive) }
        archive_write_free(archive)
        archive_entry_free(entry)
    }

    func addDirectory(_ path: String, mode: mode_t, mtime: Int64) throws(PackError) {
        prepare(path, type: SLUGC_AE_IFDIR, mode: mode, mtime: mtime)
        try writeHeader()
    }

    func addSymlink(_ path: String, target: String, mtime: Int64) throws(PackError) {
        prepare(path, type: SLUGC_AE_IFLNK, mode: 0o777, mtime: mtime)
        archive_entry_copy_symlink(entry, target)
        try writeHeader()
    }

    /// A second name for a file already in the archive: stored as a link, not a second copy.
    func addHardLink(_ path: String, to target: String, mode: mode_t, mtime: Int64) throws(PackError) {
        prepare(path, type: SLUGC_AE_IFREG, mode: mode, mtime: mtime)
        archive_entry_copy_hardlink(entry, target)
        archive_entry_set_size(entry, 0)
        try writeHeader()
    }

    /// A file from memory (the extra files such as `.slugc/release.json`).
    func addFile(_ path: String, contents: Data, mode: mode_t, mtime: Int64) throws(PackError) {
        prepare(path, type: SLUGC_AE_IFREG, mode: mode, mtime: mtime)
        archive_entry_set_size(entry, Int64(contents.count))
        try writeHeader()
        let written = contents.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
        guard written == contents.count else { throw failure() }
    }

    /// A file streamed from the open `descriptor` in 1 MiB reads; exactly `size` bytes are stored
    /// even if the file changes meanwhile (libarchive pads a shrunk file with zeros). `source`
    /// names the file in errors. `observe` sees each read as it goes into the archive, so a
    /// check of the contents costs no second read.
    func addFile(_ path: String, reading descriptor: Int32, source: @autoclosure () -> String, size: Int64,
                 mode: mode_t, mtime: Int64, observe: (UnsafeRawBufferPointer) -> Void = { _ in }) throws(PackError) {
        prepare(path, type: SLUGC_AE_IFREG, mode: mode, mtime: mtime)
        archive_entry_set_size(entry, size)
        try writeHeader()
        var remaining = size
        while remaining > 0 {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, min($0.count, Int(remaining))) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw PackError.io(path: source(), reason: FileSystem.describe(errno)) }
            if count == 0 { break }
            let written = buffer.withUnsafeBytes { bytes in
                observe(UnsafeRawBufferPointer(rebasing: bytes.prefix(count)))
                return archive_write_data(archive, bytes.baseAddress, count)
            }
            guard written == count else { throw failure() }
            remaining -= Int64(count)
        }
    }

    /// Writes the end-of-archive marker and flushes everything to the sink.
    func finish() throws(PackError) {
        open = false
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure() }
    }

    private func prepare(_ path: String, type: UInt32, mode: mode_t, mtime: Int64) {
        archive_entry_clear(entry)
        // The locale setters (the locale is UTF-8 while packing) store names as they are; with
        // the `_utf8` ones libarchive normalizes them to NFC, and "e\u{301}" would come out "é".
        archive_entry_copy_pathname(entry, path)
        archive_entry_set_filetype(entry, type)
        archive_entry_set_perm(entry, mode & 0o7777)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, time_t(mtime), 0)
    }

    private func writeHeader() throws(PackError) {
        guard archive_write_header(archive, entry) == ARCHIVE_OK else { throw failure() }
    }

    /// The sink's own error if it stopped the archive, libarchive's message otherwise.
    private func failure() -> PackError {
        if let error = context.error { return error }
        let message = archive_error_string(archive).map { String(cString: $0) } ?? "libarchive failed"
        return PackError.io(path: name, reason: message)
    }
}
