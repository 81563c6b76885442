import Foundation

/// A portability finding and where its entry came in the walk: the walk checks some entries
/// itself and the compression threads check the deferred files, so findings arrive out of order
/// and are put back in the slug's order at the end.
struct OrderedFinding: Sendable {
    var ordinal: Int
    /// Among the findings of one entry, their order.
    var sequence: Int
    var finding: PortabilityFinding

    /// In the slug's order; of the build paths several parts of one large file found, the first.
    static func inSlugOrder(_ findings: [OrderedFinding]) -> [PortabilityFinding] {
        var result: [PortabilityFinding] = []
        var lastBuildPathEntry: Int?
        for found in findings.sorted(by: { ($0.ordinal, $0.sequence) < ($1.ordinal, $1.sequence) }) {
            if found.finding.kind == .buildPath {
                if lastBuildPathEntry == found.ordinal { continue }
                lastBuildPathEntry = found.ordinal
            }
            result.append(found.finding)
        }
        return result
    }
}

extension CompressionBlock {
    /// Memory the block holds while it waits for a compression thread: the bytes the walk
    /// wrote and a record per deferred file (its path is a string of its own).
    var queuedFootprint: Int {
        input.count + deferred.count * (MemoryLayout<DeferredFile>.stride + 64)
    }

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
                buffer.append(contentsOf: repeatElement(0, count: file.length))
                if failure == nil {
                    failure = buffer.withUnsafeMutableBytes { all -> PackError? in
                        do throws(PackError) {
                            try file.read(into: UnsafeMutableRawBufferPointer(rebasing: all[start..<(start + file.length)]))
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
    /// files it reads. A large file's later parts get the build-path search only, after the
    /// bytes before them (so a match across the cut is found); a match several parts find is
    /// kept once (`OrderedFinding.inSlugOrder`), and the ELF headers of a large file are read
    /// from the file.
    func check(_ files: [DeferredFile], with check: PortabilityCheck) throws(PackError) -> [OrderedFinding] {
        var found: [OrderedFinding] = []
        for file in files {
            var scan: PortableFileScan
            if file.fileOffset == 0 {
                scan = check.startFile(at: file.relative, mode: file.mode, size: file.stamp.size, keepsELF: file.isWhole)
            } else {
                scan = check.startSearch(at: file.relative)
                let before = try file.bytesBefore(check.searchOverlap)
                before.withUnsafeBytes { scan.consume($0) }
            }
            input.withUnsafeBytes { bytes in
                scan.consume(UnsafeRawBufferPointer(rebasing: bytes[file.offset..<(file.offset + file.length)]))
            }
            var findings: [PortabilityFinding]
            if !file.isWhole && scan.isELF && file.fileOffset == 0 {
                let descriptor = try file.openListed()
                findings = scan.findings(elf: ELFDescriptorBytes(descriptor: descriptor))
                close(descriptor)
            } else {
                findings = scan.findings(elf: nil)
            }
            for (sequence, finding) in findings.enumerated() {
                found.append(OrderedFinding(ordinal: file.ordinal, sequence: Int(file.fileOffset) << 16 | sequence, finding: finding))
            }
        }
        return found
    }
}
