import Foundation

/// Where `ELFFile` gets bytes from: the file on disk while packing, what a stream kept while
/// inspecting a slug, or memory in tests.
protocol ELFBytes {
    /// Up to `count` bytes from `offset` (fewer at the end of what is available), or nil when
    /// nothing at `offset` is available.
    func bytes(at offset: UInt64, count: Int) -> [UInt8]?
}

/// Bytes held in memory.
struct ELFMemoryBytes: ELFBytes {
    var data: [UInt8]

    func bytes(at offset: UInt64, count: Int) -> [UInt8]? {
        guard count > 0, offset < UInt64(data.count) else { return nil }
        let start = Int(offset)
        return Array(data[start..<(start + min(count, data.count - start))])
    }
}

/// An open file read with `pread`, which leaves the descriptor's position alone: the packer
/// reads the same descriptor front to back into the tar stream, and the check reads only the
/// few headers and strings it needs, wherever they are.
struct ELFDescriptorBytes: ELFBytes {
    let descriptor: Int32

    func bytes(at offset: UInt64, count: Int) -> [UInt8]? {
        guard count > 0, offset <= UInt64(Int64.max) - UInt64(count) else { return nil }
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return pread(descriptor, base + filled, count - filled, off_t(offset) + off_t(filled))
            }
            if result < 0 && errno == EINTR { continue }
            if result <= 0 { break }
            filled += result
        }
        return filled == 0 ? nil : Array(buffer.prefix(filled))
    }
}

/// An ELF file's bytes as they stream past once (`inspect` reads the slug in one pass), of
/// which it keeps what `ELFFile` reads: the first `prefixLimit` bytes, which hold the headers
/// and the string table, and the interpreter and dynamic segments wherever they are.
///
/// The string table sits before the dynamic segment, so it cannot be picked out as it passes;
/// the prefix catches it: `.dynstr` ends within the first 4 MB even in 117-220 MB libraries
/// (libLLVM, librustc_driver, liblldb). In a larger one, RPATH and RUNPATH go unread.
struct StreamedELFBytes: ELFBytes {
    static let prefixLimit = 8 << 20

    /// Runs of bytes by their offset in the file: the prefix first, then kept segments.
    private var runs: [(start: UInt64, bytes: [UInt8])] = [(0, [])]
    private var position: UInt64 = 0
    private var keptRanges: [Range<UInt64>]?

    /// `size`: the file's size, when known, so the prefix is allocated once rather than grown
    /// by doubling (which held up to twice the prefix at a time).
    init(size: Int64? = nil) {
        if let size, size > 0 { runs[0].bytes.reserveCapacity(Int(min(size, Int64(Self.prefixLimit)))) }
    }

    mutating func append(_ chunk: UnsafeRawBufferPointer) {
        var rest = chunk[...]
        let prefixRoom = Self.prefixLimit - runs[0].bytes.count
        if prefixRoom > 0 {
            let taken = min(prefixRoom, rest.count)
            runs[0].bytes.append(contentsOf: rest.prefix(taken))
            rest = rest.dropFirst(taken)
            position += UInt64(taken)
        }
        guard !rest.isEmpty else { return }
        if keptRanges == nil {
            // Decided once, when the prefix is full: the program headers are in it.
            let prefixEnd = position
            keptRanges = ELFFile.segmentRanges(ELFMemoryBytes(data: runs[0].bytes))
                .filter { $0.upperBound > prefixEnd }
                .map { max($0.lowerBound, prefixEnd)..<$0.upperBound }
            for range in keptRanges ?? [] { runs.append((range.lowerBound, [])) }
        }
        let end = position + UInt64(rest.count)
        for (index, range) in (keptRanges ?? []).enumerated() {
            let low = max(range.lowerBound, position), high = min(range.upperBound, end)
            guard low < high else { continue }
            let from = rest.startIndex + Int(low - position)
            runs[index + 1].bytes.append(contentsOf: rest[from..<(from + Int(high - low))])
        }
        position = end
    }

    func bytes(at offset: UInt64, count: Int) -> [UInt8]? {
        guard count > 0 else { return nil }
        var result: [UInt8] = []
        var next = offset
        // A segment that began inside the prefix continues in the run kept after it.
        while result.count < count,
              let run = runs.first(where: { next >= $0.start && next - $0.start < UInt64($0.bytes.count) }) {
            let start = Int(next - run.start)
            let taken = min(count - result.count, run.bytes.count - start)
            result.append(contentsOf: run.bytes[start..<(start + taken)])
            next += UInt64(taken)
        }
        return result.isEmpty ? nil : result
    }
}
