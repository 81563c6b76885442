import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

final class SlugPackerTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slug-pack")
    }

    override func tearDown() {
        temporary.remove()
    }

    private func options(singleMember: Bool = false, blockSize: Int = 1 << 20, threads: Int? = nil) -> PackOptions {
        var options = PackOptions()
        options.singleMember = singleMember
        options.blockSize = blockSize
        options.threads = threads
        return options
    }

    func testRoundTripThroughSystemTarKeepsEveryKindOfEntry() throws {
        let source = temporary.appending("source")
        try SlugTestTrees.everyKind(at: source)
        let expected = try SlugTestTrees.describe(source, dropGit: true).filter { !$0.contains("src/vendor/.git") }
        for singleMember in [false, true] {
            let slug = temporary.appending("slug-\(singleMember).tgz")
            // Small blocks so the tree spans several of them.
            let result = try SlugPacker.pack(directory: source, to: slug, options: options(singleMember: singleMember, blockSize: 16 * 1024))
            let out = temporary.appending("out-\(singleMember)")
            try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
            try SlugTestTrees.run(["tar", "-xzf", slug.path, "-C", out.path])
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["app"])
            XCTAssertEqual(try SlugTestTrees.describe(out.appendingPathComponent("app")), expected, "singleMember \(singleMember)")
            let app = out.appendingPathComponent("app")
            XCTAssertEqual(SlugTestTrees.inode(of: app.appendingPathComponent("hard1")),
                           SlugTestTrees.inode(of: app.appendingPathComponent("src/hard2")), "hard link kept as a link")
            try SlugTestTrees.run(["gzip", "-t", slug.path])
            let attributes = try FileManager.default.attributesOfItem(atPath: slug.path)
            XCTAssertEqual((attributes[.size] as? NSNumber)?.int64Value, result.size)
            XCTAssertTrue(result.checksum.hasPrefix("SHA256:"))
            XCTAssertEqual(result.checksum, "SHA256:" + (try SlugTestTrees.run(["sha256sum", slug.path]).stdout.prefix(64)))
        }
    }

    func testPythonReadsEntriesUnderAppWithRootOwnerAndFixedMtime() throws {
        let source = temporary.appending("source")
        try SlugTestTrees.everyKind(at: source)
        let slug = temporary.appending("slug.tgz")
        _ = try SlugPacker.pack(directory: source, to: slug, options: options(blockSize: 16 * 1024))
        let script = """
        import sys, tarfile
        with tarfile.open(sys.argv[1], "r:gz") as tar:
            members = tar.getmembers()
        names = [m.name for m in members]
        assert names[0] == "./app", names[0]
        assert all(n == "./app" or n.startswith("./app/") for n in names), names
        assert all(m.uid == 0 and m.gid == 0 and m.uname == "" and m.gname == "" for m in members)
        assert {m.mtime for m in members} == {315532801}, {m.mtime for m in members}
        assert not any("/.git" in n for n in names), names
        links = [(m.name, m.linkname) for m in members if m.islnk()]
        assert links == [("./app/src/hard2", "./app/hard1")], links
        print(len(names))
        """
        let result = try SlugTestTrees.run(["python3", "-c", script, slug.path])
        XCTAssertEqual(result.stdout, "25\n")
    }

    func testDefaultModeWritesOneMemberPerBlockAndSingleMemberWritesOne() throws {
        let source = temporary.appending("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try SlugTestTrees.compressible(200_000).write(to: source.appendingPathComponent("data.txt"))
        let script = """
        import sys, zlib
        data = open(sys.argv[1], "rb").read()
        members = 0
        while data:
            d = zlib.decompressobj(31)
            d.decompress(data)
            assert d.eof
            data = d.unused_data
            members += 1
        print(members)
        """
        for (singleMember, members) in [(false, "4\n"), (true, "1\n")] {
            let slug = temporary.appending("slug-\(singleMember).tgz")
            _ = try SlugPacker.pack(directory: source, to: slug, options: options(singleMember: singleMember, blockSize: 64 * 1024))
            XCTAssertEqual(try SlugTestTrees.run(["python3", "-c", script, slug.path]).stdout, members)
        }
    }
}

final class SlugPackerOutputTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slug-out")
    }

    override func tearDown() {
        temporary.remove()
    }

    private func tree(bytes: Int) throws -> URL {
        let source = temporary.appending("source-\(bytes)")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("lib"), withIntermediateDirectories: true)
        if bytes > 0 { try SlugTestTrees.compressible(bytes).write(to: source.appendingPathComponent("lib/data.py")) }
        return source
    }

    private func pack(_ source: URL, _ name: String, singleMember: Bool = false, blockSize: Int = 1 << 20,
                      threads: Int? = nil, epoch: Int64? = nil, maxSize: Int64? = nil) throws -> (URL, PackResult) {
        var options = PackOptions()
        options.singleMember = singleMember
        options.blockSize = blockSize
        options.threads = threads
        options.sourceDateEpoch = epoch
        options.maxSize = maxSize
        let slug = temporary.appending(name)
        return (slug, try SlugPacker.pack(directory: source, to: slug, options: options))
    }

    /// The tar members as python sees them: name, type, mode, size, link, mtime.
    private func listing(_ slug: URL) throws -> [String] {
        let script = """
        import sys, tarfile
        with tarfile.open(sys.argv[1], "r:gz") as tar:
            for m in tar: print(repr((m.name, m.type, oct(m.mode), m.size, m.linkname, m.mtime, m.uid, m.uname)))
        """
        return try SlugTestTrees.run(["python3", "-c", script, slug.path]).stdout.split(separator: "\n").map(String.init)
    }

    func testBlockBoundariesRoundTrip() throws {
        for singleMember in [false, true] {
            let empty = try tree(bytes: 0)
            let (emptySlug, emptyResult) = try pack(empty, "empty-\(singleMember).tgz", singleMember: singleMember)
            XCTAssertEqual(try listing(emptySlug).count, 2)
            XCTAssertEqual(emptyResult.uncompressedSize, 10240)
            let source = try tree(bytes: 100_000)
            let (_, whole) = try pack(source, "whole.tgz", singleMember: singleMember)
            let stream = Int(whole.uncompressedSize)
            let expected = try listing(temporary.appending("whole.tgz"))
            // Exactly one block, one byte over a block, one byte under, and odd sizes that cut headers.
            for blockSize in [stream, stream - 1, stream + 1, 511, 4096] {
                let (slug, _) = try pack(source, "b\(blockSize)-\(singleMember).tgz", singleMember: singleMember, blockSize: blockSize)
                try SlugTestTrees.run(["gzip", "-t", slug.path])
                XCTAssertEqual(try listing(slug), expected, "block size \(blockSize)")
                let out = temporary.appending("out-\(blockSize)-\(singleMember)")
                try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
                try SlugReader.extract(slug, into: out)
                XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("lib/data.py")), SlugTestTrees.compressible(100_000))
            }
        }
    }

    func testPacksAreByteIdenticalWhateverTheThreadCount() throws {
        let source = try tree(bytes: 400_000)
        for singleMember in [false, true] {
            let slugs = try [(nil, "a"), (nil, "b"), (1, "c"), (2, "d"), (3, "e")].map { threads, name in
                try pack(source, "\(name)-\(singleMember).tgz", singleMember: singleMember, blockSize: 32 * 1024, threads: threads)
            }
            let bytes = try slugs.map { try Data(contentsOf: $0.0) }
            XCTAssertEqual(Set(bytes).count, 1, "singleMember \(singleMember)")
            XCTAssertEqual(Set(slugs.map(\.1.checksum)).count, 1)
        }
    }

    func testIncompressibleDataRoundTripsAtItsOwnSize() throws {
        let source = temporary.appending("source-mixed")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("public"), withIntermediateDirectories: true)
        let image = SlugTestTrees.incompressible(3 << 20)
        let code = SlugTestTrees.compressible(3 << 20)
        try image.write(to: source.appendingPathComponent("public/image.png"))
        try code.write(to: source.appendingPathComponent("app.py"))
        let slugs = try [nil, 1, 3].map { threads in
            try pack(source, "mixed-\(threads ?? 0).tgz", blockSize: 256 * 1024, threads: threads)
        }
        XCTAssertEqual(Set(try slugs.map { try Data(contentsOf: $0.0) }).count, 1)
        let (slug, result) = slugs[0]
        try SlugTestTrees.run(["gzip", "-t", slug.path])
        let out = temporary.appending("out-mixed")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try SlugReader.extract(slug, into: out)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("public/image.png")), image)
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("app.py")), code)
        // The image costs its own size plus stored-block framing (5 bytes per 64 KiB, 18 per gzip
        // member), and the code is still compressed: a block misjudged either way breaks this.
        let storedOverhead = Int64(image.count / 65535 * 5 + 12 * 18)
        XCTAssertLessThan(result.size, Int64(image.count) + storedOverhead + Int64(code.count) / 2)
        XCTAssertGreaterThan(result.size, Int64(image.count))
    }

    func testDefaultThreadsFollowTheCoresUpToTheLimitThatKeepsMemoryBounded() {
        XCTAssertEqual(PackOptions.defaultThreads(cores: 1), 1)
        XCTAssertEqual(PackOptions.defaultThreads(cores: 2), 2)
        XCTAssertEqual(PackOptions.defaultThreads(cores: PackOptions.defaultThreadLimit), PackOptions.defaultThreadLimit)
        XCTAssertEqual(PackOptions.defaultThreads(cores: 64), PackOptions.defaultThreadLimit)
        XCTAssertEqual(PackOptions.defaultThreads(cores: 0), 1)
        XCTAssertLessThanOrEqual(PackOptions.defaultThreadLimit, 4, "each thread beyond four adds about 20 MiB to a pack (SlugPacker.swift)")
    }

    func testSourceDateEpochChangesMtimesOnly() throws {
        let source = temporary.appending("source")
        try SlugTestTrees.everyKind(at: source)
        let fixed = try listing(pack(source, "fixed.tgz").0)
        let dated = try listing(pack(source, "dated.tgz", epoch: 1_700_000_000).0)
        XCTAssertEqual(fixed.count, dated.count)
        XCTAssertEqual(fixed.map { $0.replacingOccurrences(of: ", 315532801, ", with: ", T, ") },
                       dated.map { $0.replacingOccurrences(of: ", 1700000000, ", with: ", T, ") })
        XCTAssertNotEqual(fixed, dated)
    }

    func testTooLargeSlugLeavesNoOutputAndNoTemporaryFile() throws {
        let source = try tree(bytes: 300_000)
        let output = temporary.appending("slugs")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        XCTAssertThrowsError(try pack(source, "slugs/slug.tgz", maxSize: 1000)) { error in
            guard case let .tooLarge(size, _, _)? = error as? PackError else { return XCTFail("\(error)") }
            XCTAssertEqual("\(error)", """
            Compiled slug size: \(ByteCount.format(size)) is too large (max is 1000B). Remove what the app does not need at run time (list it in .slugignore) or raise --max-size.
            Largest folders and files:
              293.0K  lib/
            """)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: output.path), [])
    }

    func testExistingOutputSurvivesAFailedPack() throws {
        let source = try tree(bytes: 300_000)
        let existing = temporary.appending("slug.tgz")
        try Data("previous slug".utf8).write(to: existing)
        XCTAssertThrowsError(try pack(source, "slug.tgz", maxSize: 1000))
        let missing = temporary.appending("no-such-app")
        XCTAssertThrowsError(try pack(missing, "slug.tgz")) { error in
            XCTAssertEqual("\(error)", "\(missing.path): No such file or directory")
        }
        XCTAssertEqual(try Data(contentsOf: existing), Data("previous slug".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.url.path).filter { $0.hasPrefix(".") }, [])
    }

    func testProgressIsReportedAndEndsWithTheTotals() throws {
        let source = try tree(bytes: 200_000)
        let reports = Reports()
        var options = PackOptions()
        options.blockSize = 16 * 1024
        let slug = temporary.appending("slug.tgz")
        let result = try SlugPacker.pack(directory: source, to: slug, options: options) { reports.append($0) }
        let last = try XCTUnwrap(reports.all.last)
        XCTAssertEqual(last.bytesIn, result.uncompressedSize)
        XCTAssertEqual(last.bytesOut, result.size)
        XCTAssertLessThan(reports.all.count, 5, "throttled to about ten a second")
    }
}

private final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [PackProgress] = []
    func append(_ report: PackProgress) { lock.withLock { reports.append(report) } }
    var all: [PackProgress] { lock.withLock { reports } }
}
