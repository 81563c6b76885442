import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// The pack cache: reused blocks give the same slug bytes as compressing them; a change costs
/// only the blocks around it; damaged entries are never packed; concurrent packs share a cache;
/// the bound evicts. Reuse is counted with `PackResult.reusedBlocks`, never timed.
final class SlugPackCacheTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    /// Small blocks, so a small tree has dozens of them.
    private let blockSize = 16 * 1024

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slug-pack-cache")
    }

    override func tearDown() {
        temporary.remove()
    }

    /// 120 files of 1 to 12 KiB in six folders, each different, and one 100 KiB file (large
    /// at this block size: blocks of its own).
    private func tree(_ name: String) throws -> URL {
        let root = temporary.appending(name)
        for index in 0..<120 {
            let folder = root.appendingPathComponent("lib/package\(index % 6)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try SlugTestTrees.compressible(1024 + (index * 797) % (11 * 1024), seed: UInt64(index + 1))
                .write(to: folder.appendingPathComponent("module\(index).py"))
        }
        try SlugTestTrees.compressible(100 * 1024, seed: 999).write(to: root.appendingPathComponent("lib/big.so"))
        return root
    }

    private func pack(_ source: URL, _ name: String, cache: URL? = nil, singleMember: Bool = false, threads: Int? = nil,
                      limit: Int64? = nil) throws -> (data: Data, result: PackResult) {
        var options = PackOptions()
        options.blockSize = blockSize
        options.singleMember = singleMember
        options.cacheDirectory = cache
        options.cacheLimit = limit
        options.threads = threads
        let slug = temporary.appending(name)
        let result = try SlugPacker.pack(directory: source, to: slug, options: options)
        return (try Data(contentsOf: slug), result)
    }

    private func entries(_ cache: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: cache.appendingPathComponent(".slugc-pack"), includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
    }

    func testCachedPacksAreByteIdenticalToUncachedOnesAndReuseEveryBlock() throws {
        let source = try tree("app")
        for singleMember in [false, true] {
            let cache = temporary.appending("cache-\(singleMember)")
            let uncached = try pack(source, "plain-\(singleMember).tgz", singleMember: singleMember)
            let cold = try pack(source, "cold-\(singleMember).tgz", cache: cache, singleMember: singleMember)
            let warm = try pack(source, "warm-\(singleMember).tgz", cache: cache, singleMember: singleMember, threads: 1)
            XCTAssertGreaterThan(uncached.result.blocks, 20, "the tree should make many blocks")
            XCTAssertEqual(cold.data, uncached.data, "singleMember \(singleMember)")
            XCTAssertEqual(warm.data, uncached.data, "singleMember \(singleMember)")
            XCTAssertEqual(cold.result.reusedBlocks, 0)
            XCTAssertEqual(warm.result.blocks, uncached.result.blocks)
            XCTAssertEqual(warm.result.reusedBlocks, warm.result.blocks)
            XCTAssertEqual(warm.result.checksum, uncached.result.checksum)
            try SlugTestTrees.run(["gzip", "-t", temporary.appending("warm-\(singleMember).tgz").path])
        }
    }

    func testAChangedFileCostsOnlyTheBlocksAroundIt() throws {
        let source = try tree("app")
        let cache = temporary.appending("cache")
        let first = try pack(source, "first.tgz", cache: cache)
        // Same size, other bytes; then a different size, which moves every later byte of the stream.
        let changed = source.appendingPathComponent("lib/package3/module63.py")
        var bytes = try Data(contentsOf: changed)
        bytes[bytes.count / 2] ^= 0x20
        try bytes.write(to: changed)
        let sameSize = try pack(source, "same-size.tgz", cache: cache)
        try (bytes + Data("# one more line\n".utf8)).write(to: changed)
        let longer = try pack(source, "longer.tgz", cache: cache)
        for (name, packed) in [("same size", sameSize), ("longer", longer)] {
            XCTAssertGreaterThanOrEqual(packed.result.reusedBlocks, packed.result.blocks - 2, name)
            XCTAssertLessThan(packed.result.reusedBlocks, packed.result.blocks, name)
        }
        XCTAssertEqual(longer.data, try pack(source, "longer-plain.tgz").data)
        XCTAssertGreaterThan(first.result.blocks, 20)

        // A new large file: its own five blocks, the block it was inserted into (now cut in two)
        // and the one after the cut that follows it.
        try SlugTestTrees.compressible(80 * 1024, seed: 4242).write(to: source.appendingPathComponent("lib/package2/added.bin"))
        let added = try pack(source, "added.tgz", cache: cache)
        XCTAssertGreaterThanOrEqual(added.result.reusedBlocks, added.result.blocks - (80 * 1024 / blockSize + 3))
        XCTAssertEqual(added.data, try pack(source, "added-plain.tgz").data)
    }

    func testDamagedEntriesAreIgnoredAndReplaced() throws {
        let source = try tree("app")
        let cache = temporary.appending("cache")
        let expected = try pack(source, "expected.tgz", cache: cache)
        let damages: [(String, (inout Data) -> Void)] = [
            ("a flipped byte", { $0[$0.count - 20] ^= 0x01 }),
            ("truncated", { $0.removeLast(7) }),
            ("an extra byte", { $0.append(0) }),
            ("a wrong length", { $0[8] ^= 0x01 }),
            ("empty", { $0.removeAll() }),
        ]
        for (name, damage) in damages {
            let entry = try XCTUnwrap(try entries(cache).sorted { $0.path < $1.path }.first)
            var bytes = try Data(contentsOf: entry)
            damage(&bytes)
            try bytes.write(to: entry)
            let repacked = try pack(source, "repacked.tgz", cache: cache)
            XCTAssertEqual(repacked.data, expected.data, name)
            XCTAssertEqual(repacked.result.damagedCacheEntries, 1, name)
            XCTAssertEqual(repacked.result.reusedBlocks, repacked.result.blocks - 1, name)
            // The entry was written again: the next pack reuses every block.
            XCTAssertEqual(try pack(source, "again.tgz", cache: cache).result.reusedBlocks, expected.result.blocks, name)
        }
    }

    func testConcurrentPacksShareOneCache() throws {
        let source = try tree("app")
        let other = try tree("other")
        try SlugTestTrees.compressible(30_000, seed: 77).write(to: other.appendingPathComponent("lib/package1/module1.py"))
        let cache = temporary.appending("cache")
        let expected = [try pack(source, "a.tgz").data, try pack(other, "b.tgz").data]
        let outputs = ConcurrentResults(count: 8)
        nonisolated(unsafe) let test = self  // pack(...) only reads the test's temporary folder
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            outputs.set(index, Result { try test.pack(index % 2 == 0 ? source : other, "c\(index).tgz", cache: cache, threads: 2).data })
        }
        for index in 0..<8 {
            XCTAssertEqual(try outputs.get(index).get(), expected[index % 2], "pack \(index)")
        }
        XCTAssertEqual(try pack(source, "d.tgz", cache: cache).result.reusedBlocks, try pack(source, "e.tgz").result.blocks)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent(".slugc-pack").path)
            .filter { $0.hasPrefix(".") }, [], "no temporary files left")
    }

    func testTheBoundEvictsTheLeastRecentlyUsedBlocks() throws {
        let first = try tree("first")
        let second = temporary.appending("second")
        try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
        for index in 0..<40 {
            try SlugTestTrees.compressible(6000, seed: UInt64(5000 + index)).write(to: second.appendingPathComponent("file\(index).txt"))
        }
        let cache = temporary.appending("cache")
        let firstPack = try pack(first, "first.tgz", cache: cache)
        XCTAssertEqual(firstPack.result.evictedCacheEntries, 0, "the default bound is three slugs")
        let firstEntries = Set(try entries(cache))
        let limit = try pack(second, "size.tgz").result.size + 4096
        let secondPack = try pack(second, "second.tgz", cache: cache, limit: limit)
        XCTAssertGreaterThan(secondPack.result.evictedCacheEntries, 0)
        let remaining = try entries(cache)
        let bytes = try remaining.reduce(Int64(0)) { $0 + Int64(try Data(contentsOf: $1).count) }
        XCTAssertLessThanOrEqual(bytes, limit)
        XCTAssertLessThan(Set(remaining).intersection(firstEntries).count, firstEntries.count)
        // The blocks of the last pack were the most recently used, so they stayed.
        XCTAssertEqual(try pack(second, "third.tgz", cache: cache, limit: limit).result.reusedBlocks, secondPack.result.blocks)
    }

    func testCutsFollowTheRulesAndThePathHashNeverChanges() {
        let cuts = BlockCuts(target: 1 << 20)
        // A changed hash would move every cut and so invalidate every cache: pinned on purpose.
        XCTAssertEqual(String(BlockCuts.pathHash("./app/lib/module.py"), radix: 16), "94b681c23ccc263a")
        XCTAssertFalse(cuts.cutsBeforeEntry(pathHash: 0, blockBytes: 0, bytesSincePoint: 1 << 20), "never an empty block")
        XCTAssertFalse(cuts.cutsBeforeEntry(pathHash: 0, blockBytes: cuts.minimum - 1, bytesSincePoint: 1 << 20))
        XCTAssertTrue(cuts.cutsBeforeEntry(pathHash: 0, blockBytes: cuts.minimum, bytesSincePoint: 1))
        XCTAssertFalse(cuts.cutsBeforeEntry(pathHash: .max, blockBytes: cuts.minimum, bytesSincePoint: 1024))
        XCTAssertTrue(cuts.cutsBeforeEntry(pathHash: .max, blockBytes: cuts.maximum, bytesSincePoint: 1))
        XCTAssertTrue(cuts.cutsBeforeEntry(pathHash: .max, blockBytes: cuts.minimum, bytesSincePoint: 1 << 20), "a whole target's worth always cuts")
        // About one cut per `target` bytes: 10 000 entries of 10 KiB each give about 100 cuts.
        let taken = (0..<10_000).filter { cuts.cutsBeforeEntry(pathHash: BlockCuts.pathHash("./app/f\($0)"), blockBytes: cuts.minimum,
                                                               bytesSincePoint: 10 * 1024) }.count
        XCTAssertTrue((70...130).contains(taken), "\(taken) cuts")
    }

    func testACacheFolderThatCannotBeCreatedIsAnError() throws {
        let source = try tree("app")
        let notAFolder = temporary.appending("file")
        try Data("x".utf8).write(to: notAFolder)
        XCTAssertThrowsError(try pack(source, "slug.tgz", cache: notAFolder)) { error in
            XCTAssertEqual("\(error)", "\(notAFolder.path)/.slugc-pack: cannot create the pack cache folder (Not a directory); pass a --cache-dir you can write to")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("slug.tgz").path))
    }
}

/// Results written by concurrent iterations, read after they all end.
private final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Data, Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Data, Error>) {
        lock.lock()
        results[index] = result
        lock.unlock()
    }

    func get(_ index: Int) -> Result<Data, Error> {
        lock.lock()
        defer { lock.unlock() }
        return results[index] ?? .failure(PackError.io(path: "pack \(index)", reason: "did not run"))
    }
}
