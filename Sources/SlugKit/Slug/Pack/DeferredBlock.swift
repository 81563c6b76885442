/// A portability finding and where its entry came in the walk: the walk checks some entries
/// itself and the compression threads check the deferred files, so findings arrive out of order
/// and are put back in the slug's order at the end.
struct OrderedFinding: Sendable {
    var ordinal: Int
    /// Among the findings of one entry, their order.
    var sequence: Int
    var finding: PortabilityFinding

    static func inSlugOrder(_ findings: [OrderedFinding]) -> [PortabilityFinding] {
        findings.sorted { ($0.ordinal, $0.sequence) < ($1.ordinal, $1.sequence) }.map(\.finding)
    }
}

extension CompressionBlock {
    /// The block's whole bytes in `buffer` (emptied first): the bytes the walk wrote with each
    /// deferred file read in at its place. Afterwards `input` holds them and nothing is deferred;
    /// the returned array is the walk's part, free for reuse.
    mutating func fillDeferred(using buffer: consuming [UInt8]) throws(PackError) -> [UInt8] {
        guard !deferred.isEmpty else { return buffer }
        let total = length
        var failure: PackError?
        buffer.removeAll(keepingCapacity: true)
        buffer.reserveCapacity(total)
        input.withUnsafeBytes { written in
            var taken = 0
            for file in deferred {
                let before = file.offset - buffer.count
                buffer.append(contentsOf: written[taken..<(taken + before)])
                taken += before
                let start = buffer.count
                buffer.append(contentsOf: repeatElement(0, count: file.size))
                if failure == nil {
                    failure = buffer.withUnsafeMutableBytes { all -> PackError? in
                        do throws(PackError) {
                            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: all[start..<(start + file.size)]))
                            return nil
                        } catch { return error }
                    }
                }
            }
            buffer.append(contentsOf: written[taken...])
        }
        if let failure { throw failure }
        var walkPart = buffer
        swap(&walkPart, &input)
        deferred.removeAll()
        return walkPart
    }

    /// Checks each file that was deferred (their bytes are in `input` now) as the walk checks the
    /// files it reads.
    func check(_ files: [DeferredFile], with check: PortabilityCheck) -> [OrderedFinding] {
        var found: [OrderedFinding] = []
        input.withUnsafeBytes { bytes in
            for file in files {
                var scan = check.startFile(at: file.relative, mode: file.mode, size: Int64(file.size), keepsELF: true)
                scan.consume(UnsafeRawBufferPointer(rebasing: bytes[file.offset..<(file.offset + file.size)]))
                for (sequence, finding) in scan.findings(elf: nil).enumerated() {
                    found.append(OrderedFinding(ordinal: file.ordinal, sequence: sequence, finding: finding))
                }
            }
        }
        return found
    }
}
