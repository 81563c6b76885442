import CDeflate

/// Compresses one block of the tar stream into a complete gzip member with libdeflate.
///
/// The only place that touches libdeflate. Each compression thread owns one, because a
/// libdeflate compressor is not safe to share between threads.
final class DeflateMemberCompressor: BlockCompressor {
    private let compressor: OpaquePointer
    /// Level 0: stored DEFLATE blocks, for input that `EntropyProbe` finds incompressible.
    private let storer: OpaquePointer

    /// Nil when libdeflate cannot allocate a compressor (out of memory).
    init?(level: Int) {
        guard let compressor = libdeflate_alloc_compressor(Int32(level)) else { return nil }
        guard let storer = libdeflate_alloc_compressor(0) else {
            libdeflate_free_compressor(compressor)
            return nil
        }
        self.compressor = compressor
        self.storer = storer
    }

    deinit {
        libdeflate_free_compressor(compressor)
        libdeflate_free_compressor(storer)
    }

    /// A whole gzip member (header with mtime 0, data, CRC-32, size); an empty block gives an
    /// empty member, which every gzip reader accepts.
    func compress(_ block: CompressionBlock) -> CompressedBlock {
        // The choice depends on the block's bytes alone, so the output stays the same for any thread count.
        let chosen = block.input.withUnsafeBytes(EntropyProbe.looksIncompressible) ? storer : compressor
        let bound = libdeflate_gzip_compress_bound(chosen, block.input.count)
        // Uninitialized: zero-filling a 1 MiB buffer only to overwrite it is a visible cost per block.
        var written = 0
        let output = [UInt8](unsafeUninitializedCapacity: bound) { out, count in
            written = block.input.withUnsafeBytes { input in
                libdeflate_gzip_compress(chosen, input.baseAddress, input.count, out.baseAddress, out.count)
            }
            count = written
        }
        // The bound is libdeflate's own worst case, so 0 ("did not fit") cannot happen; if it
        // ever does, failing beats writing a broken slug.
        return CompressedBlock(index: block.index, bytes: output, crc: 0, length: block.input.count, failed: written == 0)
    }
}
