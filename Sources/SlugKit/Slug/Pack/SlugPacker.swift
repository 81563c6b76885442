import Foundation

/// How to pack a directory into a slug.
public struct PackOptions: Sendable {
    /// Compression level 1…9 (values outside are clamped).
    public var level: Int = 6
    /// One gzip member (zlib, pigz-style) instead of one member per ~1 MiB block.
    public var singleMember: Bool = false
    /// mtime of every entry; nil means the fixed epoch (reproducible output).
    public var sourceDateEpoch: Int64? = nil
    /// Compression threads, counting the one that reads the tree; nil means one per core, at
    /// most `defaultThreadLimit`.
    public var threads: Int? = nil
    /// Refuse (and delete) a slug larger than this many bytes; nil means no limit.
    public var maxSize: Int64? = 500 * 1024 * 1024
    /// Files added under `./app/` without touching the directory (e.g. `.slugc/release.json`).
    public var extraFiles: [String: Data] = [:]
    /// Checks each entry for what would not travel to a dyno as it is packed (nil: no check);
    /// the findings come back in `PackResult.portability`.
    public var portability: PortabilityCheck? = nil
    /// Symlinks in the directory packed as the folders they stand for: relative path of the
    /// symlink → absolute path of a folder whose contents go under that name. A build uses it for
    /// the folders a buildpack left linked to its cache (`CacheLinks`) instead of copying them in:
    /// the slug is the same as with a copy, and thousands of files are neither copied nor removed.
    /// Nothing else in the folder is followed; a name listed here that is not a symlink when the
    /// walk meets it is packed as what it is.
    public var linkedFolders: [String: String] = [:]
    /// Paths (relative to the directory, "/"-separated) left out; `.git` folders are always left out.
    public var excludes: @Sendable (_ relativePath: String, _ isDirectory: Bool) -> Bool = { _, _ in false }
    /// Keep compressed blocks in `.slugc-pack` inside this folder (the `--cache-dir`) and reuse
    /// them for the parts of the tar stream that did not change; nil: no cache. The slug's bytes
    /// are the same either way.
    public var cacheDirectory: URL? = nil
    /// Evict least recently used blocks after a pack until the pack cache holds at most this
    /// many bytes; nil means `defaultCacheSlugs` times this slug's size.
    public var cacheLimit: Int64? = nil
    /// Average bytes of uncompressed tar stream per compressed block (`BlockCuts`); tests make it
    /// small to cross block boundaries.
    var blockSize: Int = 1 << 20
    /// Keep the file index (`PackFileIndex`) beside the pack cache; off where the folder is a
    /// fresh copy each time (a build's), so no file's stamp could ever match.
    var keepsFileIndex = true
    /// How long before the pack a file must have last changed for the file index to trust its
    /// stamp (`FileStamp.settlingTime`); tests shorten it.
    var stampSettling: Int64 = FileStamp.settlingTime

    /// The pack cache's default bound, in slugs of the size just packed: the last slug's blocks
    /// and as many again from the builds before (a one-file change adds one or two blocks).
    public static let defaultCacheSlugs: Int64 = 3

    public init() {}

    /// More threads than this mostly cost memory, because the one thread that reads the tree
    /// becomes the limit: on the pack benchmark it needs 0.9 to 1.05 s of CPU where compressing
    /// needs 3.65 s, so four threads come within about 15% of what any number could do. Each
    /// thread adds a block being filled and compressed, a spare buffer and its share of the
    /// walk's lead (`BlockPipeline.Lead`, up to 8 MiB): peak memory of a pack of the benchmark
    /// corpus, 2026-12-07, 58 MiB with one thread, 81 with two, 99–108 with three, 113–118 with four.
    public static let defaultThreadLimit = 4

    /// The threads used when `threads` is nil, on a machine with `cores` cores.
    public static func defaultThreads(cores: Int) -> Int {
        min(max(cores, 1), defaultThreadLimit)
    }
}

/// What packing produced.
public struct PackResult: Sendable, Equatable {
    /// Bytes of the slug file.
    public var size: Int64
    /// `SHA256:<hex>` of the slug file, as Heroku's Platform API spells it.
    public var checksum: String
    /// Bytes of the uncompressed tar stream.
    public var uncompressedSize: Int64
    /// The largest folders one and two levels under the app, largest first (uncompressed bytes), at most 10.
    public var largestFolders: [FolderSize]
    /// What would not travel to a dyno, in the slug's order (empty unless `PackOptions.portability` was set).
    public var portability: [PortabilityFinding]
    /// Compressed blocks (gzip members, or pieces of the single member) in the slug.
    public var blocks: Int
    /// Of those, the blocks whose compressed bytes came from the pack cache (0 without one).
    public var reusedBlocks: Int
    /// Of the reused blocks, those whose files were not even read: none had changed since the
    /// last pack of the same folder (the pack cache's file index, `PackFileIndex`).
    public var unreadBlocks: Int = 0
    /// Pack cache entries found damaged, deleted and compressed again.
    public var damagedCacheEntries: Int
    /// Pack cache entries evicted after the pack to keep the cache within its bound.
    public var evictedCacheEntries: Int
    /// FIFOs, sockets and devices in the folder, left out of the slug (paths under the app).
    public var leftOutSpecialFiles: [String] = []

    public init(size: Int64, checksum: String, uncompressedSize: Int64, largestFolders: [FolderSize],
                portability: [PortabilityFinding] = [], blocks: Int = 0, reusedBlocks: Int = 0,
                damagedCacheEntries: Int = 0, evictedCacheEntries: Int = 0) {
        self.size = size
        self.checksum = checksum
        self.uncompressedSize = uncompressedSize
        self.largestFolders = largestFolders
        self.portability = portability
        self.blocks = blocks
        self.reusedBlocks = reusedBlocks
        self.damagedCacheEntries = damagedCacheEntries
        self.evictedCacheEntries = evictedCacheEntries
    }
}

/// A folder and the bytes of everything under it.
public struct FolderSize: Sendable, Equatable, Codable {
    public var path: String
    public var bytes: Int64
    public init(path: String, bytes: Int64) {
        self.path = path
        self.bytes = bytes
    }
}

/// Packs a directory into a slug: a gzip tarball with every entry under `./app/`.
public enum SlugPacker {
    /// mtime of every entry when no `SOURCE_DATE_EPOCH` is given: 1980-01-01T00:00:01Z, as Cloud Native Buildpacks use.
    public static let fixedEpoch: Int64 = 315_532_801

    /// Writes the slug to a temporary file beside `output` and renames it into place only when
    /// complete; on any error nothing is left behind and an existing `output` is untouched.
    public static func pack(
        directory: URL, to output: URL, options: PackOptions,
        progress: (@Sendable (PackProgress) -> Void)? = nil
    ) throws(PackError) -> PackResult {
        try FileSystem.withUTF8Locale { () throws(PackError) -> PackResult in
            try packInUTF8Locale(directory: directory, to: output, options: options, progress: progress)
        }
    }

    private static func packInUTF8Locale(
        directory: URL, to output: URL, options: PackOptions, progress: (@Sendable (PackProgress) -> Void)?
    ) throws(PackError) -> PackResult {
        let level = min(max(options.level, 1), 9)
        let threads = max(1, options.threads ?? PackOptions.defaultThreads(cores: ProcessInfo.processInfo.activeProcessorCount))
        let cache = try options.cacheDirectory.map { (folder: URL) throws(PackError) in try PackCache(in: folder) }
        let file = try OutputFile(destination: output)
        do throws(PackError) {
            let cuts = BlockCuts(target: options.blockSize)
            // Files are deferred (and so can be skipped by the file index) in default mode only.
            let fileIndex = options.singleMember || !options.keepsFileIndex ? nil : cache.map {
                PackFileIndex(cache: $0, root: directory.path, tag: PackCache.Session.tag(level: level, singleMember: false),
                              portability: options.portability, settling: options.stampSettling)
            }
            let pipeline = try BlockPipeline(file: file, level: level, singleMember: options.singleMember,
                                             threads: threads, cuts: cuts, cache: cache, portability: options.portability,
                                             fileIndex: fileIndex, progress: progress)
            // Whatever happens, the writer thread is done with the file before it is discarded below.
            defer { pipeline.stop() }
            // A cancelled task (SIGINT or SIGTERM in the CLI) stops the pack at the next piece of
            // the tar stream; the temporary file is discarded below.
            let tar = try TarWriter(name: output.path, cuts: cuts,
                                    sink: { (bytes: UnsafeRawBufferPointer) throws(PackError) in
                                        if Task.isCancelled { throw PackError.cancelled(path: output.path) }
                                        pipeline.append(bytes)
                                    },
                                    cut: { (point: TarWriter.CutPoint) throws(PackError) in try pipeline.offerCut(point) },
                                    deferred: pipeline.defersFiles ? { pipeline.appendDeferred($0) } : nil)
            var walk = SlugWalk(root: directory.path, tar: tar, mtime: options.sourceDateEpoch ?? fixedEpoch,
                                options: options)
            try walk.run()
            try tar.finish()
            let totals = try pipeline.finish()
            let folders = walk.tally.largest(10)
            if let limit = options.maxSize, totals.size > limit {
                throw PackError.tooLarge(size: totals.size, limit: limit, largestFolders: walk.tally.largestEntries(5))
            }
            if Task.isCancelled { throw PackError.cancelled(path: output.path) }
            try file.commit()
            fileIndex?.save()
            let blocks = pipeline.statistics
            let evicted = cache?.evict(toAtMost: options.cacheLimit ?? PackOptions.defaultCacheSlugs * totals.size) ?? 0
            var result = PackResult(size: totals.size, checksum: totals.checksum, uncompressedSize: totals.uncompressed,
                              largestFolders: folders,
                              portability: OrderedFinding.inSlugOrder(walk.orderedFindings + pipeline.workerFindings),
                              blocks: blocks.compressed + blocks.reused, reusedBlocks: blocks.reused,
                              damagedCacheEntries: blocks.damaged, evictedCacheEntries: evicted)
            result.leftOutSpecialFiles = walk.leftOut
            result.unreadBlocks = blocks.unread
            return result
        } catch {
            file.discard()
            throw error
        }
    }
}
