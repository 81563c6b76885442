import Crypto
import Foundation

/// Which pack cache entry holds a block made of files that have not changed, so a rebuild
/// neither reads nor hashes them: the block's compressed bytes come straight from the cache.
///
/// A block is known by a fingerprint of what the walk wrote of it (the tar headers: names,
/// modes, sizes, symlinks) and the `FileStamp` of each deferred file in it, instead of the
/// files' bytes; the index maps it to the name of the entry its bytes were stored under
/// (`PackCache`) and the portability findings in its files. Only blocks whose files all
/// changed long enough before the pack (`FileStamp.isSettled`) are recorded, so a write the
/// stamps cannot show never reuses a stale block. A fingerprint matches only when every header
/// and stamp is the same, so the block's bytes, and so the cuts around it, are the same too.
///
/// One index per folder packed, check and format (`index-<hash>` in the pack cache), read
/// whole when a pack starts and replaced whole when it ends, holding that pack's blocks only:
/// a few dozen bytes per block. A damaged or missing index only costs reading the files.
final class PackFileIndex: @unchecked Sendable {
    struct Record: Codable, Sendable {
        /// The `PackCache` entry with the block's compressed bytes.
        var entry: String
        var length: Int
        var findings: [Finding]
    }

    /// A finding in one of the block's deferred files (by its position among them).
    struct Finding: Codable, Sendable {
        var file: Int
        var sequence: Int
        var finding: PortabilityFinding
    }

    private let path: String
    private let folder: String
    private let previous: [String: Record]
    private let lock = NSLock()
    private var next: [String: Record] = [:]
    /// Nanoseconds since the epoch when the pack started, and how long before it a file must
    /// have last changed (`FileStamp.isSettled`).
    let packStart: Int64
    let settling: Int64

    /// The index of the last pack of `root` with the same `tag` (format and level) and portability check.
    init(cache: PackCache, root: String, tag: [UInt8], portability: PortabilityCheck?,
         settling: Int64 = FileStamp.settlingTime) {
        self.settling = settling
        var hasher = SHA256()
        hasher.update(data: Array("slugc-pack-index-v1\n".utf8) + tag)
        hasher.update(data: Array(URL(fileURLWithPath: root).resolvingSymlinksInPath().path.utf8))
        hasher.update(data: Array(("\n" + (portability?.describesSearches ?? "no portability check")).utf8))
        let name = "index-" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
        folder = cache.directory
        path = cache.directory + "/" + name
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        packStart = FileStamp.nanoseconds(now)
        let data = FileManager.default.contents(atPath: path)
        previous = data.flatMap { try? JSONDecoder().decode([String: Record].self, from: $0) } ?? [:]
    }

    /// The block's fingerprint, or nil when it cannot have one: no deferred files (its bytes were
    /// all read by the walk anyway), or a file changed too recently to trust its stamp.
    func fingerprint(of block: CompressionBlock) -> String? {
        guard !block.deferred.isEmpty, block.deferred.allSatisfy({ $0.stamp.isSettled(before: packStart, by: settling) }) else { return nil }
        var stamps: [UInt8] = []
        stamps.reserveCapacity(block.deferred.count * 64)
        for file in block.deferred {
            for value in [UInt64(file.offset), UInt64(file.fileOffset), UInt64(file.length)] {
                withUnsafeBytes(of: value.littleEndian) { stamps.append(contentsOf: $0) }
            }
            file.stamp.append(to: &stamps)
        }
        var hasher = SHA256()
        withUnsafeBytes(of: UInt64(block.input.count).littleEndian) { hasher.update(bufferPointer: $0) }
        block.input.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        hasher.update(data: [block.isLast ? 1 : 0])
        hasher.update(data: stamps)
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// What the last pack recorded for `fingerprint`.
    func record(for fingerprint: String) -> Record? {
        previous[fingerprint]
    }

    /// Keeps `record` for the next pack.
    func keep(_ record: Record, for fingerprint: String) {
        lock.lock()
        next[fingerprint] = record
        lock.unlock()
    }

    /// Replaces the index on disk with this pack's records (after the slug is in place); a
    /// failure to write it fails no pack.
    func save() {
        lock.lock()
        let records = next
        lock.unlock()
        guard let data = try? JSONEncoder().encode(records) else { return }
        let temporary = folder + "/.tmp-index-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: data), rename(temporary, path) == 0 else {
            unlink(temporary)
            return
        }
    }
}
