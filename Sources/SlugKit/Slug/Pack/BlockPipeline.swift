import Crypto
import Foundation

/// One block of the uncompressed tar stream (cut where `BlockCuts` says), waiting to be compressed.
struct CompressionBlock {
    var index: Int
    var input: [UInt8]
    /// The last 32 KiB before this block (single-member mode only), so matches can reach back.
    var dictionary: [UInt8]
    var isLast: Bool
}

/// A compressed block, ready to be written in order.
struct CompressedBlock {
    var index: Int
    var bytes: [UInt8]
    var crc: UInt32
    var length: Int
    var failed: Bool
}

/// Compresses blocks; each worker thread owns one, so implementations need no locking.
protocol BlockCompressor: AnyObject {
    func compress(_ block: CompressionBlock) -> CompressedBlock
}

/// Cuts the tar stream into blocks where `BlockCuts` says, compresses them on worker threads
/// (or takes their compressed bytes from a `PackCache`) and writes the results in order to a
/// file, hashing them on the way.
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
/// needed a whole one.
final class BlockPipeline {
    private let singleMember: Bool
    private let level: Int
    private let cuts: BlockCuts
    private let maxInFlight: Int
    private let file: OutputFile
    private let progress: ((PackProgress) -> Void)?

    private var current: [UInt8]
    private var previousTail: [UInt8] = []
    /// Bytes of `current` since the last cut point (entry boundary or data cut).
    private var bytesSincePoint = 0
    private var submitted = 0
    private var written = 0
    private var bytesIn: Int64 = 0
    private var bytesOut: Int64 = 0
    private var crc: UInt32 = 0
    private var hasher = SHA256()
    private let started = ContinuousClock.now
    private var lastReport = ContinuousClock.now

    private let work: BlockWorkQueue
    /// The calling thread's own compressor, for the blocks it takes on while ahead.
    private let ownCompressor: BlockCompressor

    init(file: OutputFile, level: Int, singleMember: Bool, threads: Int, cuts: BlockCuts, cache: PackCache?,
         progress: ((PackProgress) -> Void)?) throws(PackError) {
        self.file = file
        self.level = level
        self.singleMember = singleMember
        self.cuts = cuts
        work = BlockWorkQueue(cache: cache.map { PackCache.Session(cache: $0, level: level, singleMember: singleMember) })
        // One block for each worker and the caller to compress, plus queued ones so that a
        // worker finds the next block ready while the caller is busy reading or compressing.
        self.maxInFlight = 3 * threads - 1
        self.progress = progress
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
        if singleMember { try emit(GzipFraming.header(level: level)) }
        for compressor in compressors { work.startWorker(with: compressor) }
    }

    deinit {
        work.close()
    }

    /// Takes the next piece of the tar stream.
    func append(_ bytes: UnsafeRawBufferPointer) {
        current.append(contentsOf: bytes)
        bytesSincePoint += bytes.count
    }

    /// A point where the block may end (`TarWriter` calls it); a finished block goes to the workers.
    func offerCut(_ point: TarWriter.CutPoint) throws(PackError) {
        let cutsHere: Bool
        switch point {
        case .data:
            cutsHere = true
        case let .entry(pathHash, large):
            cutsHere = large ? cuts.cutsBeforeLargeFile(blockBytes: current.count)
                : cuts.cutsBeforeEntry(pathHash: pathHash, blockBytes: current.count, bytesSincePoint: bytesSincePoint)
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
        if singleMember || !current.isEmpty || submitted == 0 { try submit(isLast: true) }
        while written < submitted { try writeOrHelp(mustProgress: true) }
        work.close()
        if singleMember { try emit(GzipFraming.trailer(crc: crc, length: bytesIn)) }
        report(force: true)
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return (bytesOut, "SHA256:" + digest, bytesIn)
    }

    private func submit(isLast: Bool) throws(PackError) {
        let block = CompressionBlock(index: submitted, input: current, dictionary: singleMember ? previousTail : [],
                                     isLast: isLast)
        if singleMember { previousTail = Array(current.suffix(32 * 1024)) }
        bytesIn += Int64(current.count)
        current = work.reusableBuffer(capacity: cuts.target)
        work.enqueue(block)
        submitted += 1
        // Write whatever is done; hold on to the stream only when too many blocks are in flight.
        while written < submitted {
            guard try writeOrHelp(mustProgress: submitted - written >= maxInFlight) else { break }
        }
    }

    /// Writes the next block if it is done. Otherwise, when `mustProgress`, compresses a
    /// waiting block on this thread, or (every block being with a worker already) waits for
    /// the next one. False when nothing was done and nothing had to be.
    @discardableResult
    private func writeOrHelp(mustProgress: Bool) throws(PackError) -> Bool {
        if try writeNext(waiting: false) { return true }
        guard mustProgress else { return false }
        if work.compressWaitingBlock(with: ownCompressor) { return true }
        return try writeNext(waiting: true)
    }

    /// Writes the next block in order; false when it is not ready and `waiting` is false.
    @discardableResult
    private func writeNext(waiting: Bool) throws(PackError) -> Bool {
        guard let block = work.take(written, waiting: waiting) else { return false }
        guard !block.failed else {
            throw PackError.io(path: file.path, reason: "compressing block \(written) failed")
        }
        written += 1
        if singleMember { crc = GzipFraming.combine(crc, block.crc, secondLength: block.length) }
        try emit(block.bytes)
        report(force: false)
        return true
    }

    private func emit(_ bytes: [UInt8]) throws(PackError) {
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        try file.write(bytes)
        bytesOut += Int64(bytes.count)
    }

    private func report(force: Bool) {
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
    private var counts = PackCache.Statistics()
    private var waiting: [CompressionBlock] = []
    private var finished: [Int: CompressedBlock] = [:]
    private var closing = false
    /// Input buffers of compressed blocks, handed back out so each block does not allocate (and
    /// fault in) a fresh 1 MiB; never more than the blocks in flight, so memory stays bounded.
    private var spare: [[UInt8]] = []

    init(cache: PackCache.Session?) {
        self.cache = cache
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

    /// The finished block `index`, waiting for it if asked; nil when not ready.
    func take(_ index: Int, waiting shouldWait: Bool) -> CompressedBlock? {
        condition.lock()
        defer { condition.unlock() }
        while finished[index] == nil {
            if !shouldWait { return nil }
            condition.wait()
        }
        return finished.removeValue(forKey: index)
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

    /// Lets the workers end; blocks not yet started are dropped.
    func close() {
        condition.lock()
        closing = true
        waiting.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Compresses the oldest waiting block on the calling thread; false when none is waiting.
    func compressWaitingBlock(with compressor: BlockCompressor) -> Bool {
        condition.lock()
        guard !waiting.isEmpty else { condition.unlock(); return false }
        let block = waiting.removeFirst()
        condition.unlock()
        compress(block, with: compressor)
        return true
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
        let result: CompressedBlock
        if let cache {
            result = cache.compressedBlock(for: block, counting: &outcome) { compressor.compress($0) }
        } else {
            result = compressor.compress(block)
            outcome.compressed = 1
        }
        var input: [UInt8] = []
        swap(&input, &block.input)
        condition.lock()
        counts.add(outcome)
        finished[result.index] = result
        if !closing { spare.append(consume input) }
        condition.broadcast()
        condition.unlock()
    }
}
