import Crypto
import Foundation

/// One block of the uncompressed tar stream (cut where `BlockCuts` says), waiting to be compressed.
struct CompressionBlock {
    var index: Int
    /// The block's bytes; while `deferred` is not empty, only those the walk wrote, the deferred
    /// files' bytes to be read in at their offsets (`fillDeferred`).
    var input: [UInt8]
    /// Files whose bytes belong in the block, in order, not read yet.
    var deferred: [DeferredFile] = []
    /// The last 32 KiB before this block (single-member mode only), so matches can reach back.
    var dictionary: [UInt8]
    var isLast: Bool

    /// Bytes of the block, deferred files included.
    var length: Int { input.count + deferred.reduce(0) { $0 + $1.length } }
}

/// A compressed block, ready to be written in order.
struct CompressedBlock {
    var index: Int
    var bytes: [UInt8]
    var crc: UInt32
    var length: Int
    var failed: Bool
    /// Why the block could not be made (a deferred file could not be read); nil otherwise.
    var error: PackError? = nil
    /// What the portability check found in the block's deferred files.
    var findings: [OrderedFinding] = []
}

/// Compresses blocks; each worker thread owns one, so implementations need no locking.
protocol BlockCompressor: AnyObject {
    func compress(_ block: CompressionBlock) -> CompressedBlock
}

/// Cuts the tar stream into blocks where `BlockCuts` says, compresses them on worker threads
/// (or takes their compressed bytes from a `PackCache`) and has a `SlugOutput` write the
/// results in order, hashing them on the way, on a thread of its own.
///
/// Block boundaries depend only on the stream (never on thread timing or the cache), and every
/// block is compressed independently of which thread runs it, so the output is the same for
/// any thread count, with or without a cache. At most `maxInFlight` blocks exist at once,
/// which bounds memory.
///
/// `threads` counts the calling thread: it starts `threads - 1` workers and, whenever it is
/// ahead of them (too many blocks in flight, or the stream has ended), compresses waiting
/// blocks itself instead of sleeping. On a machine with as many cores as threads, no core
/// then waits on another and no thread competes with the one reading the tree, which a
/// worker per core (plus the reader) did: the reader got a third of a core when it most
/// needed a whole one. Writing and hashing the slug (a tenth of a second per 100 MB) is the
/// writer thread's: when every block comes from the cache, it was most of what the reading
/// thread did besides walking.
final class BlockPipeline {
    private let singleMember: Bool
    private let cuts: BlockCuts
    private let maxInFlight: Int
    private let output: SlugOutput

    private var current: [UInt8]
    /// The files deferred into the block being filled (default mode only), and their bytes.
    private var deferred: [DeferredFile] = []
    private var deferredBytes = 0
    private var previousTail: [UInt8] = []
    /// Bytes of `current` since the last cut point (entry boundary or data cut).
    private var bytesSincePoint = 0
    private var submitted = 0
    private var bytesIn: Int64 = 0

    private let work: BlockWorkQueue
    /// The calling thread's own compressor, for the blocks it takes on while ahead.
    private let ownCompressor: BlockCompressor

    /// `portability` checks the deferred files as the compression threads read them.
    init(file: OutputFile, level: Int, singleMember: Bool, threads: Int, cuts: BlockCuts, cache: PackCache?,
         portability: PortabilityCheck?, fileIndex: PackFileIndex?, progress: ((PackProgress) -> Void)?) throws(PackError) {
        self.singleMember = singleMember
        self.cuts = cuts
        output = SlugOutput(file: file, singleMember: singleMember, progress: progress)
        work = BlockWorkQueue(cache: cache.map { PackCache.Session(cache: $0, level: level, singleMember: singleMember) },
                              portability: portability, fileIndex: fileIndex, blockCapacity: cuts.target)
        // One block for each worker and the caller to compress, plus queued ones so that a
        // worker finds the next block ready while the caller is busy reading or compressing.
        self.maxInFlight = 3 * threads - 1
        current = []
        current.reserveCapacity(cuts.target)
        var compressors: [BlockCompressor] = []
        for _ in 0..<max(threads, 1) {
            let compressor: BlockCompressor? = singleMember
                ? ZlibBlockCompressor(level: level) : DeflateMemberCompressor(level: level)
            guard let compressor else {
                throw PackError.io(path: file.path, reason: "the compressor could not start (level \(level), out of memory?)")
            }
            compressors.append(compressor)
        }
        ownCompressor = compressors.removeLast()
        if singleMember { try output.emit(GzipFraming.header(level: level)) }
        for compressor in compressors { work.startWorker(with: compressor) }
        work.startWriter(output)
    }

    deinit {
        work.stop()
    }

    /// Stops the workers and the writer and waits until the writer no longer touches the file
    /// (before a failed pack discards it).
    func stop() {
        work.stop()
    }

    /// Whether `appendDeferred` may be used: not in single-member mode, where each block needs
    /// the bytes of the one before as its dictionary when it is cut.
    var defersFiles: Bool { !singleMember }

    /// Bytes of the block being filled, deferred files included.
    private var blockLength: Int { current.count + deferredBytes }

    /// What the compression threads' portability checks found (complete after `finish`).
    var workerFindings: [OrderedFinding] { output.findings }

    /// Takes the next piece of the tar stream.
    func append(_ bytes: UnsafeRawBufferPointer) {
        current.append(contentsOf: bytes)
        bytesSincePoint += bytes.count
    }

    /// Takes the next piece of the tar stream as a file the compression threads read.
    func appendDeferred(_ file: DeferredFile) {
        precondition(defersFiles, "single-member mode reads every file as the walk goes")
        var placed = file
        placed.offset = blockLength
        deferred.append(placed)
        deferredBytes += file.length
        bytesSincePoint += file.length
    }

    /// A point where the block may end (`TarWriter` calls it); a finished block goes to the workers.
    func offerCut(_ point: TarWriter.CutPoint) throws(PackError) {
        let cutsHere: Bool
        switch point {
        case .data:
            cutsHere = true
        case let .entry(pathHash, large):
            cutsHere = large ? cuts.cutsBeforeLargeFile(blockBytes: blockLength)
                : cuts.cutsBeforeEntry(pathHash: pathHash, blockBytes: blockLength, bytesSincePoint: bytesSincePoint)
        }
        bytesSincePoint = 0
        if cutsHere { try submit(isLast: false) }
    }

    /// Blocks compressed and blocks whose compressed bytes came from the cache, so far.
    var statistics: PackCache.Statistics { work.statistics }

    /// Compresses what is left, writes the trailer and returns the totals.
    func finish() throws(PackError) -> (size: Int64, checksum: String, uncompressed: Int64) {
        // Default mode: an empty tail adds nothing, unless the stream was empty altogether
        // (then one empty member keeps the file valid gzip). Single-member: the last block
        // always finishes the deflate stream.
        if singleMember || blockLength > 0 || submitted == 0 { try submit(isLast: true) }
        work.endOfStream(blocks: submitted)
        // Help with what is left, then wait for the writer; it is done with the file after this.
        if let failure = work.awaitWritten(submitted, helpingWith: ownCompressor) { throw failure }
        work.stop()
        if singleMember { try output.emit(GzipFraming.trailer(crc: output.crc, length: bytesIn)) }
        output.report(bytesIn: bytesIn, force: true)
        return (output.bytesOut, output.checksum(), bytesIn)
    }

    private func submit(isLast: Bool) throws(PackError) {
        let block = CompressionBlock(index: submitted, input: current, deferred: deferred,
                                     dictionary: singleMember ? previousTail : [], isLast: isLast)
        if singleMember { previousTail = Array(current.suffix(32 * 1024)) }
        bytesIn += Int64(blockLength)
        current = work.reusableBuffer(capacity: cuts.target)
        deferred = []
        deferredBytes = 0
        work.enqueue(block)
        submitted += 1
        // Hold on to the stream only when too many blocks are in flight: compress some, or wait.
        if let failure = work.awaitWritten(submitted - maxInFlight + 1, helpingWith: ownCompressor) { throw failure }
    }
}

/// The slug file as the writer thread fills it: the blocks' bytes in order, their SHA-256 and
/// (single-member mode) the combined CRC-32. Only the writer thread touches it while it runs;
/// the pipeline reads the totals once the writer is done (`BlockWorkQueue.writerDone`).
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
    /// Input buffers of compressed blocks, handed back out so each block does not allocate (and
    /// fault in) a fresh 1 MiB; never more than the blocks in flight, so memory stays bounded.
    private var spare: [[UInt8]] = []

    init(cache: PackCache.Session?, portability: PortabilityCheck?, fileIndex: PackFileIndex?, blockCapacity: Int) {
        self.cache = cache
        self.portability = portability
        self.fileIndex = cache == nil ? nil : fileIndex
        self.blockCapacity = blockCapacity
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
        condition.lock()
        while true {
            if let firstFailure {
                condition.unlock()
                return firstFailure
            }
            if writtenCount >= count || writerEnded {
                condition.unlock()
                return nil
            }
            if !waiting.isEmpty {
                let block = waiting.removeFirst()
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
            let block = waiting.removeFirst()
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
        if !closing { spare.append(consume input) }
        condition.broadcast()
        condition.unlock()
    }

    /// A buffer back to the spares (`reusableBuffer`).
    private func recycle(_ buffer: consuming [UInt8]) {
        condition.lock()
        if !closing { spare.append(consume buffer) }
        condition.unlock()
    }
}
