import Foundation
import SlugTestSupport
import XCTest

/// A full disk says which of slugc's places filled up (the slug at -o, the build folder under
/// TMPDIR) and what to change, exits 50, and leaves nothing on the full file system.
final class DiskFullMessageTests: XCTestCase {
    var temporary: TemporaryDirectory!
    var mountPoint: URL { temporary.appending("full") }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-disk-full")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard try runCommand("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint.path]).succeeded else {
            throw XCTSkip("mounting a 1 MiB tmpfs to fill needs root")
        }
    }

    override func tearDown() {
        _ = try? runCommand("/bin/umount", [mountPoint.path])
        temporary.remove()
    }

    /// A static app with 3 MB of random bytes: neither copying nor compressing fits in 1 MiB.
    private func bigApp() throws -> URL {
        let app = temporary.appending("app")
        try FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        try Data("<h1>hi</h1>\n".utf8).write(to: app.appendingPathComponent("index.html"))
        var generator = SystemRandomNumberGenerator()
        try Data((0..<3_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: app.appendingPathComponent("big.bin"))
        return app
    }

    func testAFullOutputFileSystemSaysToFreeSpaceOrMoveDashO() throws {
        let slug = mountPoint.appendingPathComponent("slug.tgz")
        let result = try slugc(["build", try bigApp().path, "-o", slug.path, "--buildpack", "static"])
        XCTAssertEqual(result.exitCode, 50, result.stderr)
        XCTAssertEqual(result.stderr, " !     \(slug.path): No space left on device: free space on the file system \(slug.path) is on, or point -o at another file system, then run again.\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mountPoint.path), [], "a partial slug was left")
    }

    func testAFullTemporaryFolderSaysToFreeSpaceOrMoveTMPDIRAndNamesNoBuildFolder() throws {
        let result = try slugc(["build", try bigApp().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", "static"],
                               environment: ["TMPDIR": mountPoint.path])
        XCTAssertEqual(result.exitCode, 50, result.stderr)
        XCTAssertEqual(result.stderr, " !     app/big.bin in slugc's temporary folder in \(mountPoint.path): No space left on device: free space on the file system of TMPDIR (\(mountPoint.path)), or point TMPDIR at another file system (slugc builds in a folder there), then run again.\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mountPoint.path), [], "the build folder was left")
    }

    /// A folder a buildpack linked to its cache (`SLUGC_CACHE_LINKS`) is copied in before the next
    /// buildpack runs; when TMPDIR has no room for it, the error names the folder, what was about
    /// to run, cp's reason and what to do.
    func testACacheLinkThatCannotBeCopiedInSaysWhatAndWhy() throws {
        let app = try procfileApp(in: temporary)
        let cache = temporary.appending("cache")
        let big = cache.appendingPathComponent("linking/lib/big.bin")
        try FileManager.default.createDirectory(at: big.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 7, count: 3_000_000).write(to: big)
        let linking = try scriptBuildpack("linking", in: temporary,
                                          compile: "#!/bin/sh\nln -s \"$2/lib\" \"$1/lib\"\necho lib >> \"$SLUGC_CACHE_LINKS\"\n")
        let next = try scriptBuildpack("next", in: temporary, compile: "#!/bin/sh\ntrue\n")
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--cache-dir", cache.path,
                                "--buildpack", linking.path, "--buildpack", next.path], environment: ["TMPDIR": mountPoint.path])
        XCTAssertEqual(result.exitCode, 30, result.stderr)
        let line = try XCTUnwrap(result.stderr.split(separator: "\n").first { $0.hasPrefix(" !     ") }.map(String.init), result.stderr)
        XCTAssertTrue(line.hasSuffix("/app/lib: cannot copy the cache folder \(cache.path)/linking/lib there before buildpack next runs (cp: error writing '\(line.split(separator: "'")[1])': No space left on device); make room in the build's TMPDIR, or check that it is writable"), line)
        XCTAssertTrue(line.hasPrefix(" !     \(mountPoint.path)/slugc-build-"), line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: mountPoint.path), [], "the build folder was left")
        XCTAssertEqual(try Data(contentsOf: big).count, 3_000_000)
    }
}
