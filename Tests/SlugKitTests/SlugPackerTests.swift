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
