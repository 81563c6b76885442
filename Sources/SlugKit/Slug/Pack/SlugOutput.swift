import Crypto
import Foundation

/// The slug file as the writer thread fills it: the blocks' bytes in order, their SHA-256 and
/// (single-member mode) the combined CRC-32. Only the writer thread touches it while it runs;
/// the pipeline reads the totals once the writer is done (`BlockWorkQueue.awaitWritten`).
final class SlugOutput: @unchecked Sendable {
    private let file: OutputFile
    private let singleMember: Bool
    private let progress: ((PackProgress) -> Void)?
    private var hasher = SHA256()
    private(set) var crc: UInt32 = 0
    private(set) var bytesOut: Int64 = 0
    private var blockBytesIn: Int64 = 0
    private(set) var findings: [OrderedFinding] = []
    private let started = ContinuousClock.now
    private var lastReport = ContinuousClock.now

    init(file: OutputFile, singleMember: Bool, progress: ((PackProgress) -> Void)?) {
        self.file = file
        self.singleMember = singleMember
        self.progress = progress
    }

    /// Writes the next block in order.
    func write(_ block: CompressedBlock) throws(PackError) {
        if let error = block.error { throw error }
        guard !block.failed else {
            throw PackError.io(path: file.path, reason: "compressing block \(block.index) failed")
        }
        if singleMember { crc = GzipFraming.combine(crc, block.crc, secondLength: block.length) }
        try emit(block.bytes)
        findings += block.findings
        blockBytesIn += Int64(block.length)
        report(bytesIn: blockBytesIn, force: false)
    }

    func emit(_ bytes: [UInt8]) throws(PackError) {
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        try file.write(bytes)
        bytesOut += Int64(bytes.count)
    }

    func checksum() -> String {
        "SHA256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func report(bytesIn: Int64, force: Bool) {
        guard let progress else { return }
        let now = ContinuousClock.now
        guard force || now - lastReport >= .milliseconds(100) else { return }
        lastReport = now
        progress(PackProgress(bytesIn: bytesIn, bytesOut: bytesOut, elapsed: now - started))
    }
}
