import CDeflate
import Foundation

/// One file of the pack cache: a 32-byte header, then a block's compressed bytes as the
/// pipeline writes them (a whole gzip member, or a piece of single-member deflate stream).
///
///     0  "SLUGCPK1"                       magic and format version
///     8  UInt64  uncompressed length      the block's length
///    16  UInt32  uncompressed CRC-32      the block's CRC-32
///    20  UInt32  stored CRC-32            of the bytes after the header
///    24  UInt64  stored length            bytes after the header
///
/// All little-endian. Every field is checked on load; the slug's own gzip check would catch a
/// damaged member only after the slug was delivered.
enum PackCacheEntry {
    enum Loaded {
        case found(CompressedBlock)
        case missing
        /// The file exists but is not a sound entry for this block: never use it.
        case damaged
    }

    static let magic = Array("SLUGCPK1".utf8)
    static let headerLength = 32

    /// One `readv` puts the header on the stack and the stored bytes straight into the block's
    /// array: no second copy of them, no allocation beyond the one the slug writer takes.
    static func load(_ path: String, for block: CompressionBlock) -> Loaded {
        load(path, index: block.index, length: block.input.count, input: block.input)
    }

    /// The entry for block `index` of `length` bytes; `input`, when the block's bytes are at
    /// hand, must have the CRC-32 the entry records. Without them (a block the file index named,
    /// never read) the stored bytes' own CRC-32 and the lengths are what is checked.
    static func load(_ path: String, index: Int, length: Int, input: [UInt8]?) -> Loaded {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .missing }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return .missing }
        let fileLength = Int(info.st_size)
        guard fileLength >= headerLength else { return .damaged }
        let storedLength = fileLength - headerLength
        var header = [UInt8](repeating: 0, count: headerLength)
        var complete = false
        let stored = [UInt8](unsafeUninitializedCapacity: storedLength) { body, count in
            header.withUnsafeMutableBytes { head in
                complete = readAll(descriptor, head, UnsafeMutableRawBufferPointer(body))
            }
            count = complete ? storedLength : 0
        }
        guard complete, header.starts(with: magic) else { return .damaged }
        let fields = Header(header)
        guard fields.storedLength == UInt64(storedLength),
              fields.uncompressedLength == UInt64(length),
              fields.storedCRC == stored.withUnsafeBytes({ libdeflate_crc32(0, $0.baseAddress, $0.count) }),
              input.map({ input in fields.uncompressedCRC == input.withUnsafeBytes { libdeflate_crc32(0, $0.baseAddress, $0.count) } }) ?? true
        else { return .damaged }
        // Recently used: eviction removes the least recently used entries first.
        futimens(descriptor, nil)
        return .found(CompressedBlock(index: index, bytes: stored, crc: fields.uncompressedCRC,
                                      length: length, failed: false))
    }

    /// Fills `head` and then `body` from the file with `readv` (more calls only if the kernel
    /// returns less); false when the file ends first or a read fails.
    private static func readAll(_ descriptor: Int32, _ head: UnsafeMutableRawBufferPointer,
                                _ body: UnsafeMutableRawBufferPointer) -> Bool {
        var done = 0
        let total = head.count + body.count
        while done < total {
            var pieces: [iovec] = []
            if done < head.count {
                pieces.append(iovec(iov_base: head.baseAddress.map { $0 + done }, iov_len: head.count - done))
            }
            let bodyDone = max(done - head.count, 0)
            if bodyDone < body.count {
                pieces.append(iovec(iov_base: body.baseAddress.map { $0 + bodyDone }, iov_len: body.count - bodyDone))
            }
            let got = pieces.withUnsafeBufferPointer { readv(descriptor, $0.baseAddress, Int32($0.count)) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return false }
            done += got
        }
        return true
    }

    /// Writes the entry beside its final name and renames it into place; any failure (a full
    /// disk, a cache folder removed meanwhile) leaves no entry and fails no pack.
    static func store(_ compressed: CompressedBlock, for block: CompressionBlock, at path: String, in directory: String) {
        let inputCRC = block.input.withUnsafeBytes { libdeflate_crc32(0, $0.baseAddress, $0.count) }
        var header = magic
        append(UInt64(block.input.count), to: &header)
        append(inputCRC, to: &header)
        append(compressed.bytes.withUnsafeBytes { libdeflate_crc32(0, $0.baseAddress, $0.count) }, to: &header)
        append(UInt64(compressed.bytes.count), to: &header)
        let temporary = directory + "/.tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        let written = writeAll(descriptor, header) && writeAll(descriptor, compressed.bytes)
        guard close(descriptor) == 0, written, rename(temporary, path) == 0 else {
            unlink(temporary)
            return
        }
    }

    private struct Header {
        var uncompressedLength: UInt64, uncompressedCRC: UInt32, storedCRC: UInt32, storedLength: UInt64

        init(_ bytes: [UInt8]) {
            func field<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
                var value: T = 0
                for index in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + index]) << (8 * index) }
                return value
            }
            uncompressedLength = field(8, UInt64.self)
            uncompressedCRC = field(16, UInt32.self)
            storedCRC = field(20, UInt32.self)
            storedLength = field(24, UInt64.self)
        }
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        for index in 0..<MemoryLayout<T>.size { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            offset += count
        }
        return true
    }
}
