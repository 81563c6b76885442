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
/// any thread count, with or without a cache.
///
/// How far the walk may run ahead of the writer is bounded by the memory it holds
/// (`Lead`), not by a small number of blocks: a block of deferred files holds only their
/// tar headers until a compression thread reads them, so the walk can race through large
/// files while the threads compress, and the queue it builds there keeps them busy where
/// thousands of small files make the walk the slowest thread.
///
/// `threads` counts the calling thread: it starts `threads - 1` workers and, whenever it is
/// ahead of them (its `Lead` used up, or the stream has ended), compresses waiting
/// blocks itself instead of sleeping. On a machine with as many cores as threads, no core
/// then waits on another and no thread competes with the one reading the tree, which a
/// worker per core (plus the reader) did: the reader got a third of a core when it most
/// needed a whole one. Writing and hashing the slug (a tenth of a second per 100 MB) is the
/// writer thread's: when every block comes from the cache, it was most of what the reading
/// thread did besides walking.
final class BlockPipeline {
    private let singleMember: Bool
    private let cuts: BlockCuts
    private let lead: Lead
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
                              portability: portability, fileIndex: fileIndex, blockCapacity: cuts.target,
                              spareBuffers: threads + 1)
        lead = Lead(threads: threads)
        current = singleMember ? work.reusableBuffer(capacity: cuts.target) : Self.walkBuffer()
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
        // Every block was written: what the lead counted must have been given back, or the
        // walk of a later, larger pack would be held back for memory it does not hold.
        assert(work.heldBytesNow == 0, "the pack's lead accounting is off by \(work.heldBytesNow) bytes")
        if singleMember { try output.emit(GzipFraming.trailer(crc: output.crc, length: bytesIn)) }
        output.report(bytesIn: bytesIn, force: true)
        return (output.bytesOut, output.checksum(), bytesIn)
    }

    private func submit(isLast: Bool) throws(PackError) {
        let block = CompressionBlock(index: submitted, input: current, deferred: deferred,
                                     dictionary: singleMember ? previousTail : [], isLast: isLast)
        if singleMember { previousTail = Array(current.suffix(32 * 1024)) }
        bytesIn += Int64(blockLength)
        // Single-member blocks are whole bytes: a spare buffer (already faulted in) saves the
        // page faults. Deferred blocks hold only headers while queued, and a spare buffer would
        // keep a whole block's memory for each of them.
        current = singleMember ? work.reusableBuffer(capacity: cuts.target) : Self.walkBuffer()
        deferred = []
        deferredBytes = 0
        work.enqueue(block)
        submitted += 1
        // Hold on to the stream only when the walk is too far ahead: compress some, or wait.
        if let failure = work.awaitRoom(submitted: submitted, lead: lead, helpingWith: ownCompressor) { throw failure }
    }

    /// A deferred block's walk part: headers, about 512 bytes a file, so it starts small and grows.
    private static func walkBuffer() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64 * 1024)
        return buffer
    }

    /// How far the walk may be ahead of the writer: blocks submitted and not yet written, and
    /// the bytes they hold (queued blocks' walk parts and deferred-file records, compressed
    /// blocks waiting for the writer). With at most 5 blocks, as before, a compression thread
    /// sat idle about a quarter of the time while the walk went through the pack benchmark's
    /// 50,000 small files; with this lead the pack keeps both cores busy (1.94 CPUs used of 2,
    /// against 1.72–1.80) and took 2.48–2.53 s against 2.66–2.81 s (hyperfine, 10 runs each),
    /// at the same peak memory (77–81 MiB), since spare buffers are now one per thread.
    struct Lead {
        let blocks: Int
        let bytes: Int

        init(threads: Int) {
            blocks = 16 * max(threads, 1)
            bytes = 8 * 1024 * 1024 * max(threads, 1)
        }
    }
}
