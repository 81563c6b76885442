import CArchive
import Foundation

/// Writes a pax tar stream and hands every byte to a sink (no compression: the block pipeline
/// compresses), telling it where the stream may be cut into blocks (`BlockCuts`). The only
/// place that owns a writing `archive *`.
///
/// Most headers are formatted here (`UstarHeader`), the same bytes libarchive would write;
/// libarchive writes the entries that need a pax extended header, and the file data and the
/// end of the archive. An entry written here is complete (header, data, padding) before the
/// next one starts, so libarchive never has an entry open across it.
///
/// Entries are written exactly as described: uid/gid 0, no user or group names, the given
/// mtime, nothing else from the file system, so the stream is reproducible.
final class TarWriter {
    /// Receives the stream; a thrown error stops the archive.
    typealias Sink = (UnsafeRawBufferPointer) throws(PackError) -> Void
    /// Hears of each point where a block may end, after every byte before it went to the sink.
    typealias CutSink = (CutPoint) throws(PackError) -> Void
    /// Receives a file whose data stands in the stream at this point, to be read later.
    typealias DeferredSink = (DeferredFile) -> Void

    enum CutPoint {
        /// Before an entry's header; `large` when its data gets blocks of its own.
        case entry(pathHash: UInt64, large: Bool)
        /// Inside a large file's data, every `BlockCuts.target` bytes from its start.
        case data
    }

    /// GNU tar and libarchive's default: the stream is padded to a multiple of this.
    static let recordSize = 10240

    private final class Context {
        let sink: Sink
        var error: PackError?
        var written = 0
        /// Bytes libarchive writes next that stand for a deferred file's data: dropped here, the
        /// sink had the file instead (`addFile(_:deferring:mode:mtime:)`).
        var standIns = 0
        init(sink: @escaping Sink) { self.sink = sink }
    }

    private let archive: OpaquePointer
    private let entry: OpaquePointer
    private let context: Context
    private let name: String
    private let cuts: BlockCuts
    private let cut: CutSink
    private let deferredSink: DeferredSink?
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)
    /// The header being formatted (`UstarHeader`), reused for every entry.
    private let header = UnsafeMutableRawBufferPointer.allocate(byteCount: UstarHeader.size, alignment: 8)
    /// Zeros for the padding after an entry's data, at most a tar block less one byte.
    private let zeros: UnsafeMutableRawBufferPointer = {
        let zeros = UnsafeMutableRawBufferPointer.allocate(byteCount: 512, alignment: 8)
        zeros.initializeMemory(as: UInt8.self, repeating: 0)
        return zeros
    }()
    /// Off only in tests, which compare the headers formatted here with libarchive's own.
    private let formatsHeaders: Bool
    private var open = false

    /// `name` is the slug's path, for error messages. Without `deferred`, files cannot be deferred.
    init(name: String, cuts: BlockCuts, sink: @escaping Sink, cut: @escaping CutSink,
         deferred: DeferredSink? = nil, formatsHeaders: Bool = true) throws(PackError) {
        guard let archive = archive_write_new(), let entry = archive_entry_new() else {
            throw PackError.io(path: name, reason: "libarchive could not start (out of memory)")
        }
        self.archive = archive
        self.entry = entry
        self.name = name
        self.cuts = cuts
        self.cut = cut
        deferredSink = deferred
        self.formatsHeaders = formatsHeaders
        context = Context(sink: sink)
        archive_write_set_format_pax_restricted(archive)
        // Unblocked: every byte reaches the sink as it is written, so the stream's position is
        // known at each cut point. `finish` pads the end to whole records as blocking did.
        archive_write_set_bytes_per_block(archive, 0)
        let status = archive_write_open2(archive, Unmanaged.passUnretained(context).toOpaque(), nil,
            { _, client, bytes, length in
                guard let client, let bytes else { return 0 }
                let context = Unmanaged<Context>.fromOpaque(client).takeUnretainedValue()
                do throws(PackError) {
                    let dropped = min(context.standIns, length)
                    context.standIns -= dropped
                    if dropped < length { try context.sink(UnsafeRawBufferPointer(start: bytes + dropped, count: length - dropped)) }
                    context.written += length
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
        header.deallocate()
        zeros.deallocate()
    }

    func addDirectory(_ path: String, mode: mode_t, mtime: Int64) throws(PackError) {
        try startEntry(path)
        if try writeOwnHeader(path, kind: .directory, mode: mode, mtime: mtime) { return }
        prepare(path, type: SLUGC_AE_IFDIR, mode: mode, mtime: mtime)
        try writeHeader()
    }

    func addSymlink(_ path: String, target: String, mtime: Int64) throws(PackError) {
        try startEntry(path)
        if try writeOwnHeader(path, kind: .symlink, mode: 0o777, mtime: mtime, link: target) { return }
        prepare(path, type: SLUGC_AE_IFLNK, mode: 0o777, mtime: mtime)
        archive_entry_copy_symlink(entry, target)
        try writeHeader()
    }

    /// A second name for a file already in the archive: stored as a link, not a second copy.
    func addHardLink(_ path: String, to target: String, mode: mode_t, mtime: Int64) throws(PackError) {
        try startEntry(path)
        if try writeOwnHeader(path, kind: .hardLink, mode: mode, mtime: mtime, link: target) { return }
        prepare(path, type: SLUGC_AE_IFREG, mode: mode, mtime: mtime)
        archive_entry_copy_hardlink(entry, target)
        archive_entry_set_size(entry, 0)
        try writeHeader()
    }

    /// A file from memory (the extra files such as `.slugc/release.json`).
    func addFile(_ path: String, contents: Data, mode: mode_t, mtime: Int64) throws(PackError) {
        try startEntry(path)
        prepare(path, type: SLUGC_AE_IFREG, mode: mode, mtime: mtime)
        archive_entry_set_size(entry, Int64(contents.count))
        try writeHeader()
        let written = contents.withUnsafeBytes { archive_write_data(archive, $0.baseAddress, $0.count) }
        guard written == contents.count else { throw failure() }
    }

    /// Whether files can be deferred (`addFile(_:deferring:mode:mtime:)`).
    var defersFiles: Bool { deferredSink != nil }


    /// A file whose data the sink's receiver reads itself (`DeferredFile`): the header goes
    /// into the stream now, the file to the deferred sink in place of its data (a large file in
    /// parts, cut where `addFile(_:reading:…)` cuts its data). libarchive then writes zeros for
    /// the data it did not get (and the padding) when the entry ends; the zeros standing for the
    /// data are dropped on their way to the sink.
    func addFile(_ path: String, deferring file: DeferredFile, mode: mode_t, mtime: Int64) throws(PackError) {
        guard let deferredSink else { preconditionFailure("this TarWriter was made without a deferred sink") }
        let size = file.stamp.size
        let large = cuts.isLarge(fileSize: size)
        try startEntry(path, large: large)
        let ownHeader = try writeOwnHeader(path, kind: .file, mode: mode, mtime: mtime, size: size)
        if !ownHeader {
            prepare(path, type: SLUGC_AE_IFREG, mode: mode, mtime: mtime)
            archive_entry_set_size(entry, size)
            try writeHeader()
        }
        var start: Int64 = 0
        while start < size {
            if start > 0 { try cut(.data) }
            let length = large ? min(Int64(cuts.target), size - start) : size
            deferredSink(file.part(at: start, length: Int(length)))
            start += length
        }
        if ownHeader {
            // The deferred file stands for the data; the padding after it goes out now.
            context.written += Int(size)
            try writePadding(after: size)
        } else {
            context.standIns = Int(size)
        }
    }

    /// A file streamed from the open `descriptor` in 1 MiB reads; exactly `size` bytes are stored
    /// even if the file changes meanwhile (libarchive pads a shrunk file with zeros). `source`
    /// names the file in errors. `observe` sees each read as it goes into the archive, so a
    /// check of the contents costs no second read.
    func addFile(_ path: String, reading descriptor: Int32, source: @autoclosure () -> String, size: Int64,
                 mode: mode_t, mtime: Int64, observe: (UnsafeRawBufferPointer) -> Void = { _ in }) throws(PackError) {
        let large = cuts.isLarge(fileSize: size)
        try startEntry(path, large: large)
        prepare(path, type: SLUGC_AE_IFREG, mode: mode, mtime: mtime)
        archive_entry_set_size(entry, size)
        try writeHeader()
        var remaining = size
        // A large file's data is cut every `target` bytes, so reads end there.
        var untilCut = large ? cuts.target : Int.max
        while remaining > 0 {
            if untilCut == 0 {
                try cut(.data)
                untilCut = cuts.target
            }
            let wanted = min(buffer.count, untilCut, Int(clamping: remaining))
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, wanted) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { throw PackError.io(path: source(), reason: FileSystem.describe(errno)) }
            if count == 0 { break }
            let written = buffer.withUnsafeBytes { bytes in
                observe(UnsafeRawBufferPointer(rebasing: bytes.prefix(count)))
                return archive_write_data(archive, bytes.baseAddress, count)
            }
            guard written == count else { throw failure() }
            remaining -= Int64(count)
            if large { untilCut -= count }
        }
    }

    /// Writes the end-of-archive marker, pads the stream to whole records and flushes
    /// everything to the sink.
    func finish() throws(PackError) {
        open = false
        guard archive_write_close(archive) == ARCHIVE_OK else { throw failure() }
        try checkStandIns()
        let padding = (Self.recordSize - context.written % Self.recordSize) % Self.recordSize
        if padding > 0 {
            let zeros = UnsafeMutableRawBufferPointer.allocate(byteCount: padding, alignment: 1)
            defer { zeros.deallocate() }
            zeros.initializeMemory(as: UInt8.self, repeating: 0)
            try context.sink(UnsafeRawBufferPointer(zeros))
        }
    }

    /// Ends the entry before (its padding goes out now, not with the next header) and offers
    /// the block pipeline a cut point.
    private func startEntry(_ path: String, large: Bool = false) throws(PackError) {
        guard archive_write_finish_entry(archive) == ARCHIVE_OK else { throw failure() }
        try checkStandIns()
        try cut(.entry(pathHash: BlockCuts.pathHash(path), large: large))
    }

    /// A deferred file's data must have been written as zeros by the end of its entry, or the
    /// stream would be off by those bytes: stop rather than write a broken slug.
    private func checkStandIns() throws(PackError) {
        guard context.standIns == 0 else {
            throw PackError.io(path: name, reason: "libarchive did not write a file's data where slugc expected it (\(context.standIns) bytes short)")
        }
    }

    /// Writes the entry's header itself when `UstarHeader` can format it; false when libarchive
    /// has to (it would add a pax extended header).
    private func writeOwnHeader(_ path: String, kind: UstarHeader.Kind, mode: mode_t, mtime: Int64,
                                size: Int64 = 0, link: String? = nil) throws(PackError) -> Bool {
        guard formatsHeaders,
              UstarHeader.format(into: header, path: path, kind: kind, mode: UInt32(mode), size: size, mtime: mtime, link: link)
        else { return false }
        try context.sink(UnsafeRawBufferPointer(header))
        context.written += UstarHeader.size
        return true
    }

    /// The zeros that fill the last tar block of `size` bytes of data.
    private func writePadding(after size: Int64) throws(PackError) {
        let padding = Int((512 - size % 512) % 512)
        guard padding > 0 else { return }
        try context.sink(UnsafeRawBufferPointer(rebasing: zeros[..<padding]))
        context.written += padding
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
