import Foundation

/// The blocks waiting for a worker and the finished ones waiting for the writer. The worker
/// threads keep it alive, so a pipeline dropped on an error never pulls it from under them.
final class BlockWorkQueue: @unchecked Sendable {
    private let condition = NSCondition()
    /// Where compressed blocks are looked up before compressing and stored after; nil: no cache.
    private let cache: PackCache.Session?
    private let portability: PortabilityCheck?
    /// Where blocks of unchanged files are looked up before their files are read (with `cache` only).
    private let fileIndex: PackFileIndex?
    /// Bytes a block is expected to hold, for the buffers deferred files are read into.
    private let blockCapacity: Int
    private var counts = PackCache.Statistics()
    private var waiting: [CompressionBlock] = []
    private var finished: [Int: CompressedBlock] = [:]
    private var closing = false
    /// Blocks the writer has written, the number there will be once the stream has ended, the
    /// first error (from the writer or a block), and whether the writer thread has ended.
    private var writtenCount = 0
    private var totalBlocks: Int?
    private var firstFailure: PackError?
    private var writerEnded = true
    /// Memory held by blocks between the walk and the file: queued blocks' `queuedFootprint` and
    /// compressed blocks' bytes waiting for the writer (`BlockPipeline.Lead` bounds it).
    private var heldBytes = 0
    /// Input buffers of compressed blocks, handed back out so each block does not allocate (and
    /// fault in) a fresh 1 MiB; at most `spareLimit`, about one per thread, so memory stays bounded.
    private var spare: [[UInt8]] = []
    private let spareLimit: Int

    init(cache: PackCache.Session?, portability: PortabilityCheck?, fileIndex: PackFileIndex?, blockCapacity: Int,
         spareBuffers: Int) {
        self.cache = cache
        self.portability = portability
        self.fileIndex = cache == nil ? nil : fileIndex
        self.blockCapacity = blockCapacity
        spareLimit = max(spareBuffers, 1)
    }

    /// `heldBytes`, for the pipeline's check that a finished pack holds nothing.
    var heldBytesNow: Int {
        condition.lock()
        defer { condition.unlock() }
        return heldBytes
    }

    var statistics: PackCache.Statistics {
        condition.lock()
        defer { condition.unlock() }
        return counts
    }

    func startWorker(with compressor: BlockCompressor) {
        // The worker thread owns its compressor from here on; nothing else touches it.
        nonisolated(unsafe) let owned = compressor
        let thread = Thread { [self] in self.run(owned) }
        thread.start()
    }

    func enqueue(_ block: CompressionBlock) {
        condition.lock()
        heldBytes += block.queuedFootprint
        waiting.append(block)
        condition.broadcast()
        condition.unlock()
    }

    /// Starts the thread that hands finished blocks to `output` in order.
    func startWriter(_ output: SlugOutput) {
        condition.lock()
        writerEnded = false
        condition.unlock()
        let thread = Thread { [self] in self.runWriter(output) }
        thread.start()
    }

    private func runWriter(_ output: SlugOutput) {
        var index = 0
        while true {
            condition.lock()
            while finished[index] == nil && !closing && index != totalBlocks { condition.wait() }
            guard !closing, index != totalBlocks, let block = finished.removeValue(forKey: index) else {
                writerEnded = true
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.unlock()
            var failure: PackError?
            do throws(PackError) { try output.write(block) } catch { failure = error }
            condition.lock()
            heldBytes -= block.bytes.count
            if let failure {
                firstFailure = firstFailure ?? failure
                closing = true
                waiting.removeAll()
            }
            writtenCount = index + 1
            condition.broadcast()
            condition.unlock()
            index += 1
        }
    }

    /// Returns once `count` blocks are written (nil) or the pack failed (why); meanwhile
    /// compresses waiting blocks with `compressor` rather than sleeping.
    func awaitWritten(_ count: Int, helpingWith compressor: BlockCompressor) -> PackError? {
        awaitLocked(helpingWith: compressor) { writtenCount >= count }
    }

    /// Returns once the walk, `submitted` blocks in, is within `lead` of the writer (nil) or the
    /// pack failed (why); meanwhile compresses waiting blocks with `compressor`.
    func awaitRoom(submitted: Int, lead: BlockPipeline.Lead, helpingWith compressor: BlockCompressor) -> PackError? {
        awaitLocked(helpingWith: compressor) { submitted - writtenCount < lead.blocks && heldBytes <= lead.bytes }
    }

    /// `done` is called with the lock held.
    private func awaitLocked(helpingWith compressor: BlockCompressor, until done: () -> Bool) -> PackError? {
        condition.lock()
        while true {
            if let firstFailure {
                condition.unlock()
                return firstFailure
            }
            if done() || writerEnded {
                condition.unlock()
                return nil
            }
            if !waiting.isEmpty {
                let block = takeWaiting()
                condition.unlock()
                compress(block, with: compressor)
                condition.lock()
                continue
            }
            condition.wait()
        }
    }

    /// The stream has ended after `blocks` blocks: the writer ends once it wrote them.
    func endOfStream(blocks: Int) {
        condition.lock()
        totalBlocks = blocks
        condition.broadcast()
        condition.unlock()
    }


    /// An empty buffer with room for `capacity` bytes, reused when one is spare.
    func reusableBuffer(capacity: Int) -> [UInt8] {
        condition.lock()
        var buffer = spare.popLast() ?? []
        condition.unlock()
        buffer.removeAll(keepingCapacity: true)
        buffer.reserveCapacity(capacity)
        return buffer
    }

    /// Lets the workers end (blocks not yet started are dropped) and waits for the writer
    /// thread to end, so that nothing writes to the slug file after this returns.
    func stop() {
        condition.lock()
        closing = true
        waiting.removeAll()
        condition.broadcast()
        while !writerEnded { condition.wait() }
        condition.unlock()
    }

    private func run(_ compressor: BlockCompressor) {
        while true {
            condition.lock()
            while waiting.isEmpty && !closing { condition.wait() }
            if waiting.isEmpty { condition.unlock(); return }
            let block = takeWaiting()
            condition.unlock()
            compress(block, with: compressor)
        }
    }

    private func compress(_ block: consuming CompressionBlock, with compressor: BlockCompressor) {
        var outcome = PackCache.Statistics()
        var result: CompressedBlock
        var findings: [OrderedFinding] = []
        let files = block.deferred
        let fingerprint = fileIndex?.fingerprint(of: block)
        if let fileIndex, let cache, let fingerprint, let record = fileIndex.record(for: fingerprint), record.length == block.length,
           var indexed = cache.indexedBlock(block.index, entry: record.entry, length: record.length, counting: &outcome) {
            fileIndex.keep(record, for: fingerprint)
            indexed.findings = record.findings.compactMap { kept in
                files.indices.contains(kept.file)
                    ? OrderedFinding(ordinal: files[kept.file].ordinal, sequence: kept.sequence, finding: kept.finding) : nil
            }
            var input: [UInt8] = []
            swap(&input, &block.input)
            finish(indexed, input: input, outcome: outcome)
            return
        }
        do throws(PackError) {
            if !files.isEmpty {
                recycle(try block.fillDeferred(using: reusableBuffer(capacity: blockCapacity)))
                if let portability { findings = try block.check(files, with: portability) }
            }
        } catch {
            finish(CompressedBlock(index: block.index, bytes: [], crc: 0, length: 0, failed: true, error: error),
                   input: [], outcome: outcome)
            return
        }
        if let cache {
            let entry: String
            (result, entry) = cache.compressedBlock(for: block, counting: &outcome) { compressor.compress($0) }
            if let fileIndex, let fingerprint, !result.failed {
                let kept = findings.map { found in
                    PackFileIndex.Finding(file: files.firstIndex { $0.ordinal == found.ordinal } ?? 0,
                                          sequence: found.sequence, finding: found.finding)
                }
                fileIndex.keep(PackFileIndex.Record(entry: entry, length: block.input.count, findings: kept), for: fingerprint)
            }
        } else {
            result = compressor.compress(block)
            outcome.compressed = 1
        }
        result.findings = findings
        var input: [UInt8] = []
        swap(&input, &block.input)
        finish(result, input: input, outcome: outcome)
    }

    private func finish(_ result: CompressedBlock, input: consuming [UInt8], outcome: PackCache.Statistics) {
        condition.lock()
        counts.add(outcome)
        finished[result.index] = result
        heldBytes += result.bytes.count
        if !closing && spare.count < spareLimit { spare.append(consume input) }
        condition.broadcast()
        condition.unlock()
    }

    /// The first waiting block, with the lock held.
    private func takeWaiting() -> CompressionBlock {
        let block = waiting.removeFirst()
        heldBytes -= block.queuedFootprint
        return block
    }

    /// A buffer back to the spares (`reusableBuffer`).
    private func recycle(_ buffer: consuming [UInt8]) {
        condition.lock()
        // A deferred block's walk part is small: reused, it would only be allocated again.
        if !closing && spare.count < spareLimit && buffer.capacity >= blockCapacity { spare.append(consume buffer) }
        condition.unlock()
    }
}
