import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// The order entries take in a slug (it makes slugs reproducible) and the folder sizes the
/// walk adds up on the way (what a too-large slug's message lists).
final class SlugPackerOrderTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slug-order")
    }

    override func tearDown() {
        temporary.remove()
    }

    /// Names that share long prefixes, differ only after 8 bytes, are prefixes of each other,
    /// or hold multi-byte UTF-8, since the walk settles most comparisons on the first 8 bytes.
    private let names = [
        "b", "a", "ab", "a b", "abcdefgh", "abcdefghi", "abcdefgg-long-name", "abcdefgh.py", "abcdefgh-",
        "B", "Zeta", "~tilde", "é", "e\u{301}", "a\u{301}", "日本語.txt", "file010.js", "file002.js", "file0100.js",
    ]

    func testEntriesFollowTheBytesOfTheirNamesFolderByFolder() throws {
        let source = temporary.appending("source")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("dir"), withIntermediateDirectories: true)
        for name in names {
            try Data(name.utf8).write(to: source.appendingPathComponent(name))
            try Data().write(to: source.appendingPathComponent("dir/" + name))
        }
        // An extra file at the top, as every build adds one: the walk then merges two listings.
        var options = PackOptions()
        options.extraFiles = [".slugc/release.json": Data("{}".utf8)]
        let slug = temporary.appending("slug.tgz")
        _ = try SlugPacker.pack(directory: source, to: slug, options: options)

        // Python's tarfile lists the stored names (folders without their slash); JSON keeps every byte.
        let script = "import json, sys, tarfile; print(json.dumps([m.name for m in tarfile.open(sys.argv[1])]))"
        let output = try SlugTestTrees.run(["python3", "-c", script, slug.path]).stdout
        let listed = try JSONDecoder().decode([String].self, from: Data(output.utf8))
        // The oracle is the generic byte comparison, not the packer's own.
        let sorted = names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let top = sorted.filter { Array($0.utf8).lexicographicallyPrecedes(Array("dir".utf8)) }
        let rest = sorted.filter { !Array($0.utf8).lexicographicallyPrecedes(Array("dir".utf8)) }
        let expected = ["./app", "./app/.slugc", "./app/.slugc/release.json"] + top.map { "./app/" + $0 } + ["./app/dir"] + sorted.map { "./app/dir/" + $0 }
            + rest.map { "./app/" + $0 }
        // Compared as bytes: Swift's == would take "é" and "e\u{301}" for the same name.
        XCTAssertEqual(listed.map { Array($0.utf8) }, expected.map { Array($0.utf8) })
        XCTAssertEqual(listed.count, 2 * names.count + 4)
    }

    /// 3000 names of 120 bytes take about 400 KiB of directory records: the walk lists such a
    /// folder in several `getdents64` calls, and none of the calls may lose or repeat a name.
    func testAFolderListedInSeveralCallsHasEveryEntryOnceInOrder() throws {
        let source = temporary.appending("wide")
        let folder = source.appendingPathComponent("many")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let names = (0..<3000).map { String(format: "%04d-", ($0 * 7919) % 3000) + String(repeating: "x", count: 115) }
        for name in names { try Data().write(to: folder.appendingPathComponent(name)) }
        let slug = temporary.appending("wide.tgz")
        _ = try SlugPacker.pack(directory: source, to: slug, options: PackOptions())

        let script = "import json, sys, tarfile; print(json.dumps([m.name for m in tarfile.open(sys.argv[1])]))"
        let listed = try JSONDecoder().decode([String].self, from: Data(SlugTestTrees.run(["python3", "-c", script, slug.path]).stdout.utf8))
        XCTAssertEqual(listed, ["./app", "./app/many"] + names.sorted().map { "./app/many/" + $0 })
    }

    /// A name that is not UTF-8 cannot be stored as the slug's readers expect: the pack stops,
    /// names the file (its bad bytes shown as U+FFFD) and says what to do, and writes no slug.
    func testAFileNameThatIsNotUTF8StopsThePackAndNamesTheFile() throws {
        let source = temporary.appending("latin1")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let created = (source.path + "/sub/caf").utf8CString.dropLast() + [CChar(bitPattern: 0xE9), 0]
        let descriptor = created.withUnsafeBufferPointer { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        close(descriptor)
        let slug = temporary.appending("latin1.tgz")
        XCTAssertThrowsError(try SlugPacker.pack(directory: source, to: slug, options: PackOptions())) { error in
            XCTAssertEqual((error as? PackError)?.description,
                           source.path + "/sub/caf\u{FFFD}: the file name is not valid UTF-8; rename the file")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
    }

    func testExtraFilesReplaceWhatIsOnDiskAtTheirPathAndEachNameIsStoredOnce() throws {
        // A folder packed again after `slugc run` extracted it already holds `.slugc/`.
        let again = temporary.appending("again")
        try FileManager.default.createDirectory(at: again.appendingPathComponent(".slugc"), withIntermediateDirectories: true)
        try Data("old".utf8).write(to: again.appendingPathComponent(".slugc/release.json"))
        try Data("kept".utf8).write(to: again.appendingPathComponent(".slugc/notes.txt"))
        // A file where the extra files need a folder: the folder wins.
        let clash = temporary.appending("clash")
        try FileManager.default.createDirectory(at: clash, withIntermediateDirectories: true)
        try Data("a file".utf8).write(to: clash.appendingPathComponent(".slugc"))

        var options = PackOptions()
        options.extraFiles = [".slugc/release.json": Data("new".utf8)]
        let script = """
        import json, sys, tarfile
        tar = tarfile.open(sys.argv[1])
        print(json.dumps([[m.name, tar.extractfile(m).read().decode() if m.isfile() else ""] for m in tar]))
        """
        for (source, expected) in [
            (again, [["./app", ""], ["./app/.slugc", ""], ["./app/.slugc/notes.txt", "kept"], ["./app/.slugc/release.json", "new"]]),
            (clash, [["./app", ""], ["./app/.slugc", ""], ["./app/.slugc/release.json", "new"]]),
        ] {
            let slug = temporary.appending(source.lastPathComponent + ".tgz")
            _ = try SlugPacker.pack(directory: source, to: slug, options: options)
            let output = try SlugTestTrees.run(["python3", "-c", script, slug.path]).stdout
            XCTAssertEqual(try JSONDecoder().decode([[String]].self, from: Data(output.utf8)), expected, source.lastPathComponent)
        }
    }

    func testLargestFoldersCountFilesTwoLevelsDeepAndIncludeExtraFiles() throws {
        let source = temporary.appending("source")
        let files = [("src/a.py", 100), ("src/nested/b.py", 1_000), ("src/nested/deeper/c.py", 10_000),
                     ("lib/x/y/z/d.so", 5_000), ("lib/e.txt", 7), ("top.txt", 3)]
        for (path, size) in files {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(count: size).write(to: url)
        }
        var options = PackOptions()
        options.extraFiles = [".slugc/release.json": Data(count: 50)]
        let result = try SlugPacker.pack(directory: source, to: temporary.appending("slug.tgz"), options: options)

        XCTAssertEqual(result.largestFolders, [
            FolderSize(path: "src", bytes: 11_100),
            FolderSize(path: "src/nested", bytes: 11_000),
            FolderSize(path: "lib", bytes: 5_007),
            FolderSize(path: "lib/x", bytes: 5_000),
            FolderSize(path: ".slugc", bytes: 50),
        ])
    }
}
