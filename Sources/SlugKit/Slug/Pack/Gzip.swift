import CZlib

/// Compresses blocks of the tar stream into pieces of one shared deflate stream, pigz-style.
///
/// The only place that touches `z_stream`. Each block is primed with the last 32 KiB of the
/// block before it (so the ratio matches one long stream), ends on a byte boundary with a sync
/// flush, and only the last block finishes the stream. Concatenated in order after
/// `GzipFraming.header`, they form one gzip member.
final class ZlibBlockCompressor: BlockCompressor {
    private var stream = z_stream()
    private var ready = false

    /// Nil when zlib refuses the parameters or memory runs out.
    init?(level: Int) {
        // Negative window bits: raw deflate, the gzip header and trailer are written separately.
        let status = deflateInit2_(&stream, Int32(level), Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { return nil }
        ready = true
    }

    deinit {
        if ready { deflateEnd(&stream) }
    }

    func compress(_ block: CompressionBlock) -> CompressedBlock {
        var failed = deflateReset(&stream) != Z_OK
        if !block.dictionary.isEmpty {
            let status = block.dictionary.withUnsafeBytes { dictionary in
                deflateSetDictionary(&stream, dictionary.bindMemory(to: Bytef.self).baseAddress, uInt(dictionary.count))
            }
            failed = failed || status != Z_OK
        }
        let flush = block.isLast ? Z_FINISH : Z_SYNC_FLUSH
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(block.input.count))) + 64)
        var produced = 0
        block.input.withUnsafeBytes { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            while !failed {
                if produced == output.count { output.append(contentsOf: repeatElement(0, count: 64 * 1024)) }
                let status = output.withUnsafeMutableBytes { out -> Int32 in
                    stream.next_out = out.bindMemory(to: Bytef.self).baseAddress.map { $0 + produced }
                    stream.avail_out = uInt(out.count - produced)
                    let status = deflate(&stream, flush)
                    produced = out.count - Int(stream.avail_out)
                    return status
                }
                if status == Z_STREAM_END { break }
                if status != Z_OK && status != Z_BUF_ERROR { failed = true; break }
                // A sync flush is complete once zlib leaves output space unused.
                if !block.isLast && stream.avail_in == 0 && stream.avail_out > 0 { break }
            }
            stream.next_in = nil
            stream.next_out = nil
        }
        output.removeSubrange(produced...)
        let crc = block.input.withUnsafeBytes { input in
            UInt32(crc32(0, input.bindMemory(to: Bytef.self).baseAddress, uInt(input.count)))
        }
        return CompressedBlock(index: block.index, bytes: output, crc: crc, length: block.input.count, failed: failed)
    }
}

/// The gzip header and trailer around a single-member slug (RFC 1952).
enum GzipFraming {
    /// No file name, mtime 0 (reproducible), OS "Unix" as gzip and pigz write it.
    static func header(level: Int) -> [UInt8] {
        let extraFlags: UInt8 = level >= 9 ? 2 : (level == 1 ? 4 : 0)
        return [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, extraFlags, 3]
    }

    /// CRC-32 and length of everything compressed, little-endian.
    static func trailer(crc: UInt32, length: Int64) -> [UInt8] {
        let size = UInt32(truncatingIfNeeded: length)
        return (0..<4).map { UInt8(truncatingIfNeeded: crc >> ($0 * 8)) }
            + (0..<4).map { UInt8(truncatingIfNeeded: size >> ($0 * 8)) }
    }

    /// The CRC-32 of two pieces laid end to end, from their separate CRCs.
    static func combine(_ first: UInt32, _ second: UInt32, secondLength: Int) -> UInt32 {
        UInt32(crc32_combine(uLong(first), uLong(second), off_t(secondLength)))
    }
}
