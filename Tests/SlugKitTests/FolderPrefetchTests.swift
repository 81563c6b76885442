import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// The thread that lists folders ahead of the walk (`FolderPrefetch`): listings in the walk's
/// order with every entry's `lstat`, a bounded queue, a clean stop, and slugs that stay the
/// same when the thread and the walk disagree about which folders to enter.
final class FolderPrefetchTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "folder-prefetch")
    }

    override func tearDown() {
        temporary.remove()
    }

    /// 3 levels of 6 folders (258 folders) with 4 files each, a symlink, a `.git` and an excluded folder.
    private func makeTree() throws -> URL {
        let root = temporary.appending("tree")
        for a in 0..<6 {
            for b in 0..<6 {
                for c in 0..<6 {
                    for file in 0..<4 { try SlugTestTrees.writeFile("d\(a)/d\(b)/d\(c)/f\(file).txt", "\(a)\(b)\(c)\(file)\n", under: root) }
                }
            }
        }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("d0/link").path, withDestinationPath: "d1/f0.txt")
        try SlugTestTrees.writeFile(".git/HEAD", "ref: refs/heads/main\n", under: root)
        try SlugTestTrees.writeFile("skipped/inside.txt", "x\n", under: root)
        return root
    }

    /// Takes the listings as the walk does (depth-first, sorted, not `.git` nor excluded
    /// folders) and checks each entry against the test's own `lstat`; returns the folders taken.
    private func takeAsTheWalkDoes(_ prefetch: FolderPrefetch, root: URL, relative: String = "",
                                   excluded: Set<String>, file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let listing = try XCTUnwrap(prefetch.take(relative), "no listing for \"\(relative)\"", file: file, line: line)
        XCTAssertEqual(listing.relative, relative, file: file, line: line)
        _ = try listing.folder.get()
        let folder = relative.isEmpty ? root.path : root.path + "/" + relative
        let expected = try FileManager.default.contentsOfDirectory(atPath: folder).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        XCTAssertEqual(listing.entries.map(\.name), expected, file: file, line: line)
        var taken = [relative]
        for entry in listing.entries {
            var info = stat()
            XCTAssertEqual(lstat(folder + "/" + entry.name, &info), 0, file: file, line: line)
            let listed = try XCTUnwrap(entry.status, file: file, line: line).get()
            XCTAssertEqual(listed.st_ino, info.st_ino, file: file, line: line)
            XCTAssertEqual(listed.st_mode, info.st_mode, file: file, line: line)
            XCTAssertEqual(listed.st_size, info.st_size, file: file, line: line)
            if FileSystem.isSymlink(info) {
                XCTAssertEqual(try entry.target?.get(), try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + entry.name),
                               file: file, line: line)
            } else {
                XCTAssertNil(entry.target, file: file, line: line)
            }
            let child = relative.isEmpty ? entry.name : relative + "/" + entry.name
            if FileSystem.isDirectory(info), entry.name != ".git", !excluded.contains(child) {
                taken += try takeAsTheWalkDoes(prefetch, root: root, relative: child, excluded: excluded, file: file, line: line)
            }
        }
        return taken
    }

    func testListingsComeInTheWalksOrderWithEveryEntrysStatus() throws {
        let root = try makeTree()
        // A queue of 5 entries: the thread waits for the walk at almost every folder.
        for limit in [5, FolderPrefetch.defaultQueueLimit] {
            let prefetch = FolderPrefetch(root: root.path, excludes: { path, isDirectory in isDirectory && path == "skipped" },
                                          extraFiles: [], queueLimit: limit)
            let taken = try takeAsTheWalkDoes(prefetch, root: root, excluded: ["skipped"])
            XCTAssertEqual(taken.count, 1 + 6 + 36 + 216, "limit \(limit)")
            XCTAssertFalse(taken.contains(".git"))
            XCTAssertFalse(taken.contains("skipped"))
            // Nothing is left: the next listing the walk could ask for does not exist.
            XCTAssertNil(prefetch.take("zz"))
            prefetch.stop()
        }
    }

    /// A walk that stops early (an error, a cancelled pack) stops the thread while it waits on
    /// a full queue; `stop` returns only once the thread has ended.
    func testStopEndsAThreadWaitingOnAFullQueue() throws {
        let root = try makeTree()
        let prefetch = FolderPrefetch(root: root.path, excludes: { _, _ in false }, extraFiles: [], queueLimit: 3)
        _ = try XCTUnwrap(prefetch.take(""))
        _ = try XCTUnwrap(prefetch.take("d0"))
        let stopped = expectation(description: "stop returned")
        DispatchQueue.global().async {
            prefetch.stop()
            stopped.fulfill()
        }
        wait(for: [stopped], timeout: 10)
        XCTAssertNil(prefetch.take("d0/d0"), "a stopped prefetch hands out nothing")
    }

    /// A folder the thread did not enter but the walk does (or the other way round) makes the
    /// walk list the rest itself: the slug is the one a pack that agreed with itself makes. The
    /// exclusion below answers differently on the walk's thread (the test's) and on any other.
    func testAWalkThatDisagreesWithTheThreadStillPacksTheSameSlug() throws {
        let root = try makeTree()
        func pack(_ name: String, excludes: @escaping @Sendable (String, Bool) -> Bool) throws -> Data {
            var options = PackOptions()
            options.excludes = excludes
            options.blockSize = 4096
            let slug = temporary.appending(name + ".tgz")
            _ = try SlugPacker.pack(directory: root, to: slug, options: options)
            return try Data(contentsOf: slug)
        }
        nonisolated(unsafe) let walkThread = Thread.current
        let everything = try pack("everything", excludes: { _, _ in false })
        let withoutD3 = try pack("without-d3", excludes: { path, isDirectory in isDirectory && path == "d3" })
        XCTAssertNotEqual(everything, withoutD3)
        // The thread skips d3 and the walk enters it.
        XCTAssertEqual(try pack("walk-enters", excludes: { path, isDirectory in
            isDirectory && path == "d3" && Thread.current != walkThread
        }), everything)
        // The thread enters d3 and the walk skips it.
        XCTAssertEqual(try pack("walk-skips", excludes: { path, isDirectory in
            isDirectory && path == "d3" && Thread.current == walkThread
        }), withoutD3)
    }
}
