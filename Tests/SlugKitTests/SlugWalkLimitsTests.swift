import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// Trees at the edges of what the walk holds: folders nested thousands deep (the walk and the
/// listing thread keep stacks of their own, not the thread's) and many folders under a low
/// limit of open files (the listing thread holds at most `FolderPrefetch.maxQueuedFolders` open
/// for the walk).
final class SlugWalkLimitsTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var savedLimit = rlimit()

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "walk-limits")
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &savedLimit)
    }

    override func tearDown() {
        var restored = savedLimit
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &restored)
        temporary.remove()
    }

    private func setOpenFileLimit(_ limit: rlim_t) -> Bool {
        var wanted = savedLimit
        wanted.rlim_cur = min(limit, savedLimit.rlim_max)
        return setrlimit(Int32(RLIMIT_NOFILE.rawValue), &wanted) == 0 && wanted.rlim_cur == limit
    }

    /// The names of a slug's entries, read by Python's tarfile (which holds any path length).
    private func listing(_ slug: URL) throws -> [String] {
        let script = "import json, sys, tarfile; print(json.dumps([m.name for m in tarfile.open(sys.argv[1])]))"
        let output = try SlugTestTrees.run(["python3", "-c", script, slug.path]).stdout
        return try JSONDecoder().decode([String].self, from: Data(output.utf8))
    }

    /// 4,000 levels: slugc used to walk them by recursion and crashed (SIGSEGV) past about 2,000
    /// with the listing thread, 5,000 without. Both modes: the default one lists on the prefetch
    /// thread, `--gzip-single-member` on the walk's.
    func testFoldersNestedFourThousandDeepArePacked() throws {
        let depth = 4000
        // Each level holds its folder open while the ones below are walked.
        guard setOpenFileLimit(rlim_t(depth + 1000)) else {
            throw XCTSkip("this machine allows fewer than \(depth + 1000) open files")
        }
        let root = temporary.appending("deep")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var folder = open(root.path, O_RDONLY | O_DIRECTORY)
        for _ in 0..<depth {
            XCTAssertEqual(mkdirat(folder, "d", 0o755), 0)
            let next = openat(folder, "d", O_RDONLY | O_DIRECTORY)
            close(folder)
            folder = next
        }
        XCTAssertEqual(mkdirat(folder, "leaf", 0o755), 0)
        close(folder)
        for singleMember in [false, true] {
            var options = PackOptions()
            options.singleMember = singleMember
            let slug = temporary.appending("deep-\(singleMember).tgz")
            _ = try SlugPacker.pack(directory: root, to: slug, options: options)
            let names = try listing(slug)
            XCTAssertEqual(names.count, depth + 2, "single member: \(singleMember)")
            XCTAssertEqual(names.last, "./app/" + String(repeating: "d/", count: depth) + "leaf")
        }
    }

    /// 1,500 folders of one file each with 256 files open at most: the listing thread runs ahead
    /// by at most 128 folders, so the pack never runs out of descriptors.
    func testManyFoldersPackUnderALowOpenFileLimit() throws {
        let root = temporary.appending("wide")
        for index in 0..<1500 {
            try SlugTestTrees.writeFile("f\(index / 50)/g\(index)/file.txt", "\(index)\n", under: root)
        }
        let reference = temporary.appending("reference.tgz")
        _ = try SlugPacker.pack(directory: root, to: reference, options: PackOptions())
        guard setOpenFileLimit(256) else { throw XCTSkip("could not lower the open file limit") }
        let slug = temporary.appending("limited.tgz")
        _ = try SlugPacker.pack(directory: root, to: slug, options: PackOptions())
        XCTAssertEqual(try Data(contentsOf: slug), try Data(contentsOf: reference))
        XCTAssertEqual(try listing(slug).count, 1 + 30 + 1500 * 2)
    }
}
