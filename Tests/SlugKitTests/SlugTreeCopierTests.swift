import Foundation
import SlugKit
import SlugTestSupport
import XCTest

final class SlugTreeCopierTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slug-copy")
    }

    override func tearDown() {
        temporary.remove()
    }

    func testCopyKeepsEveryKindOfEntryLikeCpA() throws {
        let source = temporary.appending("source")
        try SlugTestTrees.everyKind(at: source)
        let copy = temporary.appending("copy")
        var asked: [String] = []
        try TreeCopier.copy(from: source, to: copy) { path, isDirectory in
            asked.append(path + (isDirectory ? "/" : ""))
            return path.hasSuffix(".git") || path == "a name with spaces.txt"
        }
        let reference = temporary.appending("reference")
        try SlugTestTrees.run(["cp", "-a", source.path, reference.path])
        let expected = try SlugTestTrees.describe(reference).filter { !$0.contains(".git") && !$0.contains("spaces") }
        XCTAssertEqual(try SlugTestTrees.describe(copy), expected)
        XCTAssertEqual(SlugTestTrees.inode(of: copy.appendingPathComponent("hard1")),
                       SlugTestTrees.inode(of: copy.appendingPathComponent("src/hard2")))
        XCTAssertTrue(asked.contains(".git/") && asked.contains("src/vendor/.git/") && !asked.contains(".git/config"), "\(asked)")
        // Same mtimes as the source, like cp -a.
        let sourceDate = try FileManager.default.attributesOfItem(atPath: source.appendingPathComponent("bin/run").path)[.modificationDate] as? Date
        let copyDate = try FileManager.default.attributesOfItem(atPath: copy.appendingPathComponent("bin/run").path)[.modificationDate] as? Date
        XCTAssertEqual(sourceDate, copyDate)
    }

    func testCopyNeverFollowsASymlinkOutOfTheTree() throws {
        let outside = temporary.appending("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: outside.appendingPathComponent("secret"))
        let source = temporary.appending("source")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: source.appendingPathComponent("out").path, withDestinationPath: outside.path)
        let copy = temporary.appending("copy")
        try TreeCopier.copy(from: source, to: copy) { _, _ in false }
        XCTAssertEqual(try SlugTestTrees.describe(copy), ["\"out\" symlink -> \(outside.path)"])
    }

    func testCopyOfAMissingFolderSaysSo() throws {
        let missing = temporary.appending("missing")
        XCTAssertThrowsError(try TreeCopier.copy(from: missing, to: temporary.appending("copy")) { _, _ in false }) { error in
            XCTAssertEqual("\(error)", "\(missing.path): No such file or directory")
        }
    }
}
