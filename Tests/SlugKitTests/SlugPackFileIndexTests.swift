import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// The pack cache's file index: a block whose files have not changed since the last pack of the
/// same folder is taken from the cache without reading them (`PackResult.unreadBlocks`), and a
/// change the stamps show (even one that keeps the size and the mtime) is always read; the slug
/// is byte for byte what an uncached pack gives, findings included. Counted, never timed.
final class SlugPackFileIndexTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private let blockSize = 16 * 1024
    /// Files must have settled this long before a pack for the index to record their blocks
    /// (`FileStamp.settlingTime` is two seconds; tests wait less).
    private let settling: Int64 = 200_000_000

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slug-pack-file-index")
    }

    override func tearDown() {
        temporary.remove()
    }

    /// 60 small files in three folders and one file large enough for blocks of its own.
    private func tree(_ name: String) throws -> URL {
        let root = temporary.appending(name)
        for index in 0..<60 {
            let folder = root.appendingPathComponent("lib/package\(index % 3)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try SlugTestTrees.compressible(512 + (index * 613) % (6 * 1024), seed: UInt64(index + 1))
                .write(to: folder.appendingPathComponent("module\(index).py"))
        }
        try SlugTestTrees.compressible(40 * 1024, seed: 77).write(to: root.appendingPathComponent("lib/big.so"))
        return root
    }

    private func pack(_ source: URL, _ name: String, cache: URL? = nil, settling: Int64? = nil,
                      portability: PortabilityCheck? = nil) throws -> (data: Data, result: PackResult) {
        var options = PackOptions()
        options.blockSize = blockSize
        options.cacheDirectory = cache
        options.stampSettling = settling ?? self.settling
        options.portability = portability
        let slug = temporary.appending(name)
        let result = try SlugPacker.pack(directory: source, to: slug, options: options)
        return (try Data(contentsOf: slug), result)
    }

    private func settle() {
        Thread.sleep(forTimeInterval: Double(settling) / 1e9 + 0.1)
    }

    func testUnchangedFilesAreNotReadAgainAndTheSlugIsTheSame() throws {
        let source = try tree("app")
        let cache = temporary.appending("cache")
        settle()
        let cold = try pack(source, "cold.tgz", cache: cache)
        XCTAssertEqual(cold.result.unreadBlocks, 0, "an empty cache knows no block")
        let warm = try pack(source, "warm.tgz", cache: cache)
        XCTAssertEqual(warm.data, cold.data)
        XCTAssertEqual(warm.result.reusedBlocks, warm.result.blocks)
        // Every block holds files (the large one's in parts), so none is read.
        XCTAssertEqual(warm.result.unreadBlocks, warm.result.blocks, "\(warm.result)")

        // One file changes: its block is read again, the others still are not.
        let changed = source.appendingPathComponent("lib/package1/module10.py")
        try (try Data(contentsOf: changed) + Data("# changed\n".utf8)).write(to: changed)
        let afterChange = try pack(source, "after-change.tgz", cache: cache)
        XCTAssertEqual(afterChange.data, try pack(source, "plain.tgz").data)
        XCTAssertLessThan(afterChange.result.unreadBlocks, warm.result.unreadBlocks)
        XCTAssertGreaterThan(afterChange.result.unreadBlocks, 0)
    }

    func testAChangeThatKeepsTheSizeAndTheModificationTimeIsStillSeen() throws {
        let source = try tree("app")
        let cache = temporary.appending("cache")
        settle()
        _ = try pack(source, "first.tgz", cache: cache)
        // Same length, other bytes, and the old mtime put back: only the ctime (and the bytes) tell.
        let file = source.appendingPathComponent("lib/package2/module20.py")
        var info = stat()
        XCTAssertEqual(stat(file.path, &info), 0)
        var bytes = try Data(contentsOf: file)
        bytes[0] = bytes[0] == UInt8(ascii: "x") ? UInt8(ascii: "y") : UInt8(ascii: "x")
        try bytes.write(to: file)
        var times = [timespec(tv_sec: info.st_atim.tv_sec, tv_nsec: info.st_atim.tv_nsec),
                     timespec(tv_sec: info.st_mtim.tv_sec, tv_nsec: info.st_mtim.tv_nsec)]
        XCTAssertEqual(utimensat(AT_FDCWD, file.path, &times, 0), 0)
        settle()
        let second = try pack(source, "second.tgz", cache: cache)
        XCTAssertEqual(second.data, try pack(source, "plain.tgz").data, "the changed byte is in the slug")
    }

    func testFilesChangedJustBeforeAPackAreAlwaysRead() throws {
        let source = try tree("app")
        let cache = temporary.appending("cache")
        // With a minute to settle, nothing just written is trusted: every block is read (and
        // still reused by its bytes).
        _ = try pack(source, "first.tgz", cache: cache, settling: 60_000_000_000)
        let second = try pack(source, "second.tgz", cache: cache, settling: 60_000_000_000)
        XCTAssertEqual(second.result.unreadBlocks, 0)
        XCTAssertEqual(second.result.reusedBlocks, second.result.blocks)
    }

    func testFindingsInUnreadBlocksAreReportedInTheSlugsOrder() throws {
        let source = try tree("app")
        // A build path in a small file (checked where the file is read), and a symlink out of the
        // app (checked by the walk), in between other files.
        try SlugTestTrees.writeFile("lib/package0/paths.txt", "built in /tmp/slugc-build-Ab12Cd/app/lib\n", under: source)
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("lib/package1/out").path,
                                                   withDestinationPath: "/home/someone/lib")
        try SlugTestTrees.writeFile("lib/package2/run", "#!/home/someone/bin/python\n", mode: 0o755, under: source)
        let cache = temporary.appending("cache")
        settle()
        let uncached = try pack(source, "plain.tgz", portability: PortabilityCheck())
        XCTAssertEqual(uncached.result.portability.map(\.path), ["lib/package0/paths.txt", "lib/package1/out", "lib/package2/run"])
        _ = try pack(source, "first.tgz", cache: cache, portability: PortabilityCheck())
        let second = try pack(source, "second.tgz", cache: cache, portability: PortabilityCheck())
        XCTAssertGreaterThan(second.result.unreadBlocks, 0)
        XCTAssertEqual(second.result.portability, uncached.result.portability)
        XCTAssertEqual(second.data, uncached.data)
        // Another check (another build folder) does not take the first one's findings.
        let other = try pack(source, "other.tgz", cache: cache, portability: PortabilityCheck(buildFolders: ["/nowhere/app"]))
        XCTAssertEqual(other.result.unreadBlocks, 0)
        XCTAssertEqual(other.result.portability.map(\.path), ["lib/package1/out", "lib/package2/run"])
    }

    func testLargeFilesCheckedInPartsFindWhatAWholeReadFinds() throws {
        let root = temporary.appending("large")
        let path = Array("/tmp/slugc-build-Zz9Yy8/app/lib".utf8)
        // A build path across the cut at 16 KiB (parts are checked separately), and in another
        // file one in the first part and one in the third (reported once).
        var straddling = Array(SlugTestTrees.compressible(48 * 1024, seed: 5))
        straddling.replaceSubrange((blockSize - 10)..<(blockSize - 10 + path.count), with: path)
        var twice = Array(SlugTestTrees.compressible(48 * 1024, seed: 6))
        twice.replaceSubrange(100..<(100 + path.count), with: path)
        twice.replaceSubrange((2 * blockSize + 50)..<(2 * blockSize + 50 + path.count), with: path)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data(straddling).write(to: root.appendingPathComponent("data/straddling.bin"))
        try Data(twice).write(to: root.appendingPathComponent("data/twice.bin"))
        let clean = Array(SlugTestTrees.compressible(48 * 1024, seed: 7))
        try Data(clean).write(to: root.appendingPathComponent("data/clean.bin"))

        let parts = try pack(root, "parts.tgz", portability: PortabilityCheck()).result.portability
        // Single-member mode reads every file in the walk, whole: the reference.
        var whole = PackOptions()
        whole.blockSize = blockSize
        whole.singleMember = true
        whole.portability = PortabilityCheck()
        let reference = try SlugPacker.pack(directory: root, to: temporary.appending("whole.tgz"), options: whole).portability
        XCTAssertEqual(parts.map(\.path), ["data/straddling.bin", "data/twice.bin"])
        XCTAssertEqual(parts, reference)
    }

    func testADamagedIndexOrAMissingEntryOnlyCostsReading() throws {
        let source = try tree("app")
        let cache = temporary.appending("cache")
        settle()
        let first = try pack(source, "first.tgz", cache: cache)
        let folder = cache.appendingPathComponent(".slugc-pack")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        let index = try XCTUnwrap(names.first { $0.hasPrefix("index-") })
        // Entries gone: the index names them, the pack compresses those blocks again.
        for name in names where !name.hasPrefix("index-") && !name.hasPrefix(".") {
            try FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
        let withoutEntries = try pack(source, "without-entries.tgz", cache: cache)
        XCTAssertEqual(withoutEntries.data, first.data)
        XCTAssertEqual(withoutEntries.result.unreadBlocks, 0)
        XCTAssertEqual(withoutEntries.result.reusedBlocks, 0)
        // A damaged index is ignored.
        try Data("{ not json".utf8).write(to: folder.appendingPathComponent(index))
        let withDamagedIndex = try pack(source, "damaged-index.tgz", cache: cache)
        XCTAssertEqual(withDamagedIndex.data, first.data)
        XCTAssertEqual(withDamagedIndex.result.unreadBlocks, 0)
        XCTAssertEqual(withDamagedIndex.result.reusedBlocks, withDamagedIndex.result.blocks)
    }

    func testAFileReplacedBeforeItIsReadIsAnErrorNamingIt() throws {
        let root = temporary.appending("replaced")
        try SlugTestTrees.writeFile("a.txt", "first\n", under: root)
        let path = root.appendingPathComponent("a.txt").path
        var info = stat()
        XCTAssertEqual(lstat(path, &info), 0)
        let file = DeferredFile(root: root.path, relative: "a.txt", mode: UInt32(info.st_mode), stamp: FileStamp(info), ordinal: 0)
        // Written beside it and renamed over it, so the new file has another inode.
        try SlugTestTrees.writeFile("b.txt", "other\n", under: root)
        XCTAssertEqual(rename(root.appendingPathComponent("b.txt").path, path), 0)
        var buffer = [UInt8](repeating: 0, count: file.length)
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { try file.read(into: $0) }) { error in
            XCTAssertEqual(error as? PackError, .io(path: path, reason: "the file was replaced while it was being packed; pack again once nothing changes the folder"))
        }
    }
}
