import CDeflate
import Crypto
import Foundation

/// Compressed blocks kept between packs, one file each, so a rebuild compresses only the blocks
/// whose bytes changed (`BlockCuts` keeps the others' bytes, and so their cut points, the same).
///
/// An entry is named by the SHA-256 of what determines its compressed bytes: the format and
/// level, the 32 KiB dictionary (single-member mode), whether it ends the stream, and the
/// uncompressed block. SHA-256 because a name that two different blocks could share would put
/// the wrong bytes in a slug; with the CPU's SHA extensions swift-crypto hashes at well over
/// 1 GB/s per core (Benchmarks/pack-cache.sh prints the rate), so it does not limit the reuse path, and
/// it runs on the worker threads, not on the one reading the tree.
///
/// An entry is checked before use, cheaply (CRC-32 with libdeflate runs at several GB/s): its
/// length, a CRC-32 of its stored bytes (catches a flipped byte, a truncated or extended file),
/// and the CRC-32 of the block it claims to compress against the block at hand. A damaged entry
/// is deleted and the block compressed again; it never reaches a slug. A file of the same name
/// with other contents can only be written by someone who can write the cache folder, and they
/// could change any slug built from it: share a cache folder only between builds you trust.
///
/// Safe under concurrent packs (threads of one process and several processes): entries are
/// written to a temporary file and renamed into place, so readers see a whole entry or none;
/// two packs storing the same block write the same bytes; an entry deleted by another pack's
/// eviction is simply a miss. Nothing is held in memory between packs.
final class PackCache: Sendable {
    /// The folder of entries: `.slugc-pack` inside the `--cache-dir`, beside the buildpacks' caches.
    let directory: String

    /// Blocks of one pack: compressed, taken from the cache, and entries found damaged.
    struct Statistics: Sendable, Equatable {
        var compressed = 0
        var reused = 0
        /// Of the reused blocks, those the file index knew: their files were not read.
        var unread = 0
        var damaged = 0

        mutating func add(_ other: Statistics) {
            compressed += other.compressed
            reused += other.reused
            unread += other.unread
            damaged += other.damaged
        }
    }

    static let folderName = ".slugc-pack"
    /// Temporary files older than this belong to a pack that died; eviction removes them.
    static let staleTemporaryAge: TimeInterval = 3600

    /// Opens (creating it if needed) the pack cache inside `cacheDirectory`.
    init(in cacheDirectory: URL) throws(PackError) {
        let folder = cacheDirectory.appendingPathComponent(Self.folderName, isDirectory: true).path
        // The --cache-dir itself may be new (`slugc pack` creates it as `build` does).
        try? FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        var info = stat()
        if mkdir(folder, 0o755) != 0 {
            let code = errno
            guard code == EEXIST, stat(folder, &info) == 0, FileSystem.isDirectory(info) else {
                throw PackError.io(path: folder, reason: "cannot create the pack cache folder (\(FileSystem.describe(code == EEXIST ? ENOTDIR : code))); pass a --cache-dir you can write to")
            }
        }
        directory = folder
    }

    /// The cache as one pack uses it: its format and level are part of every entry's name.
    struct Session: Sendable {
        let cache: PackCache
        let tag: [UInt8]

        init(cache: PackCache, level: Int, singleMember: Bool) {
            self.cache = cache
            tag = Self.tag(level: level, singleMember: singleMember)
        }

        /// What every entry name of a pack with this format and level starts from.
        static func tag(level: Int, singleMember: Bool) -> [UInt8] {
            Array("slugc-pack-v1 \(singleMember ? "deflate-piece" : "gzip-member") level \(level)\n".utf8)
        }

        /// The block's compressed bytes from the cache when a sound entry has them, else from
        /// `compress` (and then stored for next time); with the entry's name.
        func compressedBlock(for block: CompressionBlock, counting statistics: inout Statistics,
                             compress: (CompressionBlock) -> CompressedBlock) -> (block: CompressedBlock, entry: String) {
            let entry = name(of: block)
            let path = cache.directory + "/" + entry
            switch PackCacheEntry.load(path, for: block) {
            case let .found(reused):
                statistics.reused += 1
                return (reused, entry)
            case .damaged:
                statistics.damaged += 1
                unlink(path)
            case .missing:
                break
            }
            let compressed = compress(block)
            statistics.compressed += 1
            if !compressed.failed { PackCacheEntry.store(compressed, for: block, at: path, in: cache.directory) }
            return (compressed, entry)
        }

        /// The compressed bytes of block `index` from the entry a file index named, when it is
        /// sound and holds `length` bytes (a damaged one is deleted); nil otherwise.
        func indexedBlock(_ index: Int, entry: String, length: Int, counting statistics: inout Statistics) -> CompressedBlock? {
            let path = cache.directory + "/" + entry
            switch PackCacheEntry.load(path, index: index, length: length, input: nil) {
            case let .found(reused):
                statistics.reused += 1
                statistics.unread += 1
                return reused
            case .damaged:
                statistics.damaged += 1
                unlink(path)
                return nil
            case .missing:
                return nil
            }
        }

        private func name(of block: CompressionBlock) -> String {
            var hasher = SHA256()
            hasher.update(data: tag)
            withUnsafeBytes(of: UInt64(block.dictionary.count).littleEndian) { hasher.update(bufferPointer: $0) }
            block.dictionary.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            hasher.update(data: [block.isLast ? 1 : 0])
            block.input.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            return hasher.finalize().map { String(format: "%02x", $0) }.joined()
        }
    }

    /// Deletes the least recently used entries until the entries take at most `limit` bytes
    /// (entries a pack uses are touched, so the last pack's go last), and temporary files of packs
    /// that died. Returns how many entries went. Errors are ignored: another pack may be
    /// evicting at the same time, and a cache that stays too big fails no build.
    @discardableResult
    func evict(toAtMost limit: Int64) -> Int {
        guard let folder = opendir(directory) else { return 0 }
        defer { closedir(folder) }
        let descriptor = dirfd(folder)
        var entries: [(name: String, size: Int64, used: timespec)] = []
        var total: Int64 = 0
        let now = Date().timeIntervalSince1970
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." { continue }
            var info = stat()
            guard fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) == 0, FileSystem.isRegular(info) else { continue }
            if name.hasPrefix(".") {
                if now - Double(info.st_mtim.tv_sec) > Self.staleTemporaryAge { unlinkat(descriptor, name, 0) }
                continue
            }
            entries.append((name, Int64(info.st_size), info.st_mtim))
            total += Int64(info.st_size)
        }
        guard total > limit else { return 0 }
        entries.sort { ($0.used.tv_sec, $0.used.tv_nsec, $0.name) < ($1.used.tv_sec, $1.used.tv_nsec, $1.name) }
        var evicted = 0
        for entry in entries where total > limit {
            if unlinkat(descriptor, entry.name, 0) == 0 { evicted += 1 }
            total -= entry.size
        }
        return evicted
    }
}
