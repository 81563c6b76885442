/// Where the tar stream is cut into compression blocks (one gzip member each by default).
///
/// The cuts depend only on the stream's content, never on what a pack cache holds or on thread
/// timing, so a cached and an uncached pack give the same bytes. They are also local: a changed
/// file moves the cuts around it only, so a rebuild can reuse the other blocks' compressed bytes.
/// Cutting at every `target` bytes, as slugc did first, made one added byte move every later
/// cut; content-defined chunking (a rolling hash over every byte) would cost the thread that
/// reads the tree a pass over the whole stream. The tar stream's structure gives cut points for
/// nothing:
/// - before an entry, with a chance that grows with the bytes since the last cut point
///   (`bytes / target`, decided by a hash of the entry's path), so blocks average about
///   `target` bytes whatever the file sizes; never in the first `minimum` bytes of a block
///   (tiny members compress worse), always past `maximum`;
/// - before a file of `target` bytes or more (past `minimum`), and inside its data every `target` bytes counted
///   from the start of its data, so a large file's blocks stay the same when files before it change.
struct BlockCuts: Sendable {
    /// The average block size aimed at; tests make it small to get many blocks from a small tree.
    let target: Int

    init(target: Int) {
        self.target = max(target, 1)
    }

    /// No cut at an entry boundary before a block has this many bytes.
    var minimum: Int { target / 8 }
    /// Always a cut at an entry boundary once a block has this many bytes (bounds memory).
    var maximum: Int { target * 4 }

    /// Whether to cut before an entry whose path hashes to `pathHash`, given the bytes already in
    /// the block and those since the last cut point (entry boundary or data cut) before it.
    func cutsBeforeEntry(pathHash: UInt64, blockBytes: Int, bytesSincePoint: Int) -> Bool {
        if blockBytes == 0 { return false }
        if blockBytes >= maximum { return true }
        if blockBytes < minimum { return false }
        // The top 32 bits of the hash as a fraction of 2^32, against bytes / target.
        return (pathHash >> 32) &* UInt64(target) < UInt64(min(bytesSincePoint, target)) << 32
    }

    /// Whether to cut before a large file: unless the block is still under `minimum` (a tiny
    /// member compresses badly); then only the file's first block also holds what came before.
    func cutsBeforeLargeFile(blockBytes: Int) -> Bool {
        blockBytes >= minimum
    }

    /// Whether a file of `size` bytes gets blocks of its own (cut before it and inside it).
    func isLarge(fileSize size: Int64) -> Bool {
        size >= Int64(target)
    }

    /// A deterministic 64-bit hash of a path (FNV-1a, then a SplitMix64 finalizer so the top bits
    /// are well mixed). Not Swift's `Hasher`: that one is seeded per process, and the cuts must
    /// be the same in every run.
    static func pathHash(_ path: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }
}
