import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// `TreeRemover` empties a tree in one pass, read-only folders and odd names included, without
/// following links; `RunFolder` sweeps the folders of killed runs and nothing else.
final class RunFolderCleanupTests: XCTestCase {
    var temporary: TemporaryDirectory!
    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-run-cleanup") }
    override func tearDown() { temporary.remove() }

    private func names(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func testATreeWithReadOnlyFoldersLinksAndNonUTF8NamesIsRemovedAndLinkTargetsKept() throws {
        let tree = temporary.appending("tree")
        let deep = tree.appendingPathComponent("a/b/c/d")
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        for index in 0..<200 { try Data("\(index)".utf8).write(to: deep.appendingPathComponent("f\(index)")) }
        let outside = temporary.appending("precious")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: outside.appendingPathComponent("file"))
        try FileManager.default.createSymbolicLink(atPath: tree.appendingPathComponent("link").path, withDestinationPath: outside.path)
        // "café" in Latin-1: a name that is not UTF-8.
        let odd: [UInt8] = Array(tree.path.utf8) + Array("/caf".utf8) + [0xE9, 0]
        let created = odd.withUnsafeBufferPointer { $0.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) } }
        XCTAssertGreaterThanOrEqual(created, 0)
        close(created)
        XCTAssertEqual(chmod(tree.appendingPathComponent("a/b").path, 0o555), 0)
        XCTAssertEqual(chmod(deep.path, 0o500), 0)

        XCTAssertTrue(TreeRemover.remove(tree.path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: tree.path))
        XCTAssertEqual(try String(contentsOf: outside.appendingPathComponent("file"), encoding: .utf8), "keep", "a link was followed")
        XCTAssertTrue(TreeRemover.remove(tree.path), "a missing tree is removed already")
    }

    /// A folder as a run leaves it: the lock file, and the extracted app.
    private func runFolder(_ name: String, locked: Bool = true) throws -> URL {
        let folder = temporary.appending(name)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("app/.heroku"), withIntermediateDirectories: true)
        try Data("web: ./start\n".utf8).write(to: folder.appendingPathComponent("app/Procfile"))
        if locked { try Data().write(to: folder.appendingPathComponent(RunFolder.lockName)) }
        return folder
    }

    func testOnlyFoldersOfRunsThatAreGoneAreSwept() throws {
        _ = try runFolder("slugc-run-killed")
        let live = try runFolder("slugc-run-live")
        let held = open(live.appendingPathComponent(RunFolder.lockName).path, O_RDWR)
        XCTAssertEqual(flock(held, LOCK_EX | LOCK_NB), 0)
        defer { close(held) }
        _ = try runFolder("slugc-run-fresh-unlocked", locked: false)
        let old = try runFolder("slugc-run-old-unlocked", locked: false)
        var times = [timeval(tv_sec: time(nil) - 7200, tv_usec: 0), timeval(tv_sec: time(nil) - 7200, tv_usec: 0)]
        XCTAssertEqual(utimes(old.path, &times), 0)
        _ = try runFolder("not-slugc-run")
        let busy = try runFolder("slugc-run-app-still-running")
        let app = Process()
        app.executableURL = URL(fileURLWithPath: "/bin/sleep")
        app.arguments = ["30"]
        app.currentDirectoryURL = busy.appendingPathComponent("app")
        try app.run()
        defer { app.terminate(); app.waitUntilExit() }

        RunFolder.removeStale(in: temporary.url)
        XCTAssertEqual(try names(temporary.url), ["not-slugc-run", "slugc-run-app-still-running", "slugc-run-fresh-unlocked", "slugc-run-live"])
    }

    func testAnotherUsersFolderIsNeverSwept() throws {
        let theirs = try runFolder("slugc-run-theirs")
        guard chown(theirs.path, 65534, 65534) == 0 else { throw XCTSkip("giving a folder to another user needs root") }
        RunFolder.removeStale(in: temporary.url)
        XCTAssertEqual(try names(temporary.url), ["slugc-run-theirs"])
    }

    func testANewRunFolderIsLockedUntilRemoved() throws {
        let folder = try RunFolder(in: temporary.url)
        RunFolder.removeStale(in: temporary.url)
        XCTAssertEqual(try names(temporary.url), [folder.url.lastPathComponent], "a live run's folder was swept")
        folder.remove()
        XCTAssertEqual(try names(temporary.url), [])
    }
}
