import Foundation
import SlugTestSupport
import XCTest

/// `--cache-dir` for `slugc pack`: what the log says, the same slug bytes, and several
/// processes packing into one cache folder at once.
final class CLIPackCacheTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-pack-cache") }
    override func tearDown() { temporary?.remove() }

    /// About 6 MiB of different files: several 1 MiB blocks.
    private func app() throws -> URL {
        let root = temporary.appending("app")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try Data("web: python -m http.server $PORT\n".utf8).write(to: root.appendingPathComponent("Procfile"))
        for index in 0..<60 {
            var state = UInt64(index + 1)
            let words = ["def ", "return ", "self", " = ", "(", ")", ":\n    ", "import ", "\n", "x", "None", "value"]
            var text = ""
            while text.utf8.count < 100_000 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                text += words[Int(state >> 33) % words.count]
            }
            try Data(text.utf8).write(to: root.appendingPathComponent("lib/module\(index).py"))
        }
        return root
    }

    private func doneLine(_ output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix("       Done: ") }
    }

    func testASecondPackReusesEveryBlockAndSaysSo() throws {
        let app = try app()
        let cache = temporary.appending("cache")
        let plain = temporary.appending("plain.tgz"), first = temporary.appending("first.tgz"), second = temporary.appending("second.tgz")
        let uncached = try slugc(["pack", app.path, "-o", plain.path])
        XCTAssertEqual(uncached.exitCode, 0, uncached.stderr)
        XCTAssertEqual(doneLine(uncached.stdout)?.contains("reused"), false, uncached.stdout)

        // Files written less than 2 s before a pack are always read (their stamps are not
        // trusted yet), so let them settle: the cold pack then records every file in its index.
        Thread.sleep(forTimeInterval: 2.2)
        let cold = try slugc(["pack", app.path, "-o", first.path, "--cache-dir", cache.path])
        XCTAssertEqual(cold.exitCode, 0, cold.stderr)
        let coldLine = try XCTUnwrap(doneLine(cold.stdout), cold.stdout)
        let size = try XCTUnwrap(coldLine.split(separator: " ").dropFirst(1).first)
        let blocks = try XCTUnwrap(coldLine.split(separator: " ").dropFirst(4).first.flatMap { Int($0) }, coldLine)
        XCTAssertGreaterThan(blocks, 3)
        XCTAssertEqual(coldLine, "       Done: \(size) (0 of \(blocks) compressed blocks reused from the pack cache)")

        let warm = try slugc(["pack", app.path, "-o", second.path, "--cache-dir", cache.path])
        XCTAssertEqual(warm.exitCode, 0, warm.stderr)
        let reused = "       Done: \(size) (\(blocks) of \(blocks) compressed blocks reused from the pack cache"
        XCTAssertEqual(doneLine(warm.stdout), reused + ", \(blocks) of them without reading their files)")
        // A file rewritten with the same bytes is read again, and its blocks are still reused.
        let rewritten = app.appendingPathComponent("lib/module7.py")
        try Data(contentsOf: rewritten).write(to: rewritten)
        let third = temporary.appending("third.tgz")
        let touched = try slugc(["pack", app.path, "-o", third.path, "--cache-dir", cache.path])
        XCTAssertEqual(touched.exitCode, 0, touched.stderr)
        let touchedLine = try XCTUnwrap(doneLine(touched.stdout), touched.stdout)
        let unread = try XCTUnwrap(touchedLine.split(separator: " ").dropFirst(12).first.flatMap { Int($0) }, touchedLine)
        XCTAssertEqual(touchedLine, reused + ", \(unread) of them without reading their files)")
        XCTAssertLessThan(unread, blocks)
        XCTAssertGreaterThanOrEqual(unread, blocks - 2)
        let expected = try Data(contentsOf: plain)
        XCTAssertEqual(try Data(contentsOf: first), expected)
        XCTAssertEqual(try Data(contentsOf: second), expected)
        XCTAssertEqual(try Data(contentsOf: third), expected)
        // The cache lives beside the buildpacks' caches, never inside the slug.
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache.appendingPathComponent(".slugc-pack").path))
    }

    func testACacheInsideThePackedFolderIsNotPacked() throws {
        let app = try app()
        let cache = app.appendingPathComponent("cache")
        let first = temporary.appending("first.tgz"), second = temporary.appending("second.tgz")
        XCTAssertEqual(try slugc(["pack", app.path, "-o", first.path, "--cache-dir", cache.path]).exitCode, 0)
        let warm = try slugc(["pack", app.path, "-o", second.path, "--cache-dir", cache.path])
        XCTAssertEqual(warm.exitCode, 0, warm.output)
        XCTAssertEqual(try Data(contentsOf: first), try Data(contentsOf: second))
        let listing = try runCommand("/bin/tar", ["-tzf", second.path])
        XCTAssertTrue(listing.stdout.contains("./app/lib/module0.py\n"), listing.stdout)
        XCTAssertFalse(listing.stdout.contains(".slugc-pack"), listing.stdout)
    }

    func testABuildWithACacheDirReusesTheBlocksOfTheBuildBefore() throws {
        let app = try fixture("static-site", in: temporary)
        let cache = temporary.appending("cache")
        let first = temporary.appending("first.tgz"), second = temporary.appending("second.tgz")
        let cold = try slugc(["build", app.path, "-o", first.path, "--cache-dir", cache.path])
        XCTAssertEqual(cold.exitCode, 0, cold.output)
        let line = try XCTUnwrap(doneLine(cold.stdout), cold.stdout)
        let blocks = try XCTUnwrap(line.split(separator: " ").dropFirst(4).first.flatMap { Int($0) }, line)
        XCTAssertTrue(line.hasSuffix(" (0 of \(blocks) compressed blocks reused from the pack cache)"), line)
        let warm = try slugc(["build", app.path, "-o", second.path, "--cache-dir", cache.path])
        XCTAssertEqual(warm.exitCode, 0, warm.output)
        XCTAssertEqual(doneLine(warm.stdout), line.replacingOccurrences(of: "(0 of", with: "(\(blocks) of"))
        XCTAssertEqual(try Data(contentsOf: first), try Data(contentsOf: second))
        // Each build packs a fresh copy of the app, so it keeps no file index (it would never match).
        let kept = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent(".slugc-pack").path)
        XCTAssertFalse(kept.contains { $0.hasPrefix("index-") }, "\(kept)")
    }

    func testSeveralProcessesPackIntoOneCacheFolderAtOnce() throws {
        let app = try app()
        let cache = temporary.appending("cache")
        let plain = temporary.appending("plain.tgz")
        XCTAssertEqual(try slugc(["pack", app.path, "-o", plain.path]).exitCode, 0)
        let codes = ExitCodes(count: 4)
        let temporary = self.temporary!
        DispatchQueue.concurrentPerform(iterations: 4) { index in
            let result = try? slugc(["pack", app.path, "-o", temporary.appending("slug\(index).tgz").path,
                                     "--cache-dir", cache.path, "--threads", "1"])
            codes.set(index, result?.exitCode ?? -1)
        }
        let expected = try Data(contentsOf: plain)
        for index in 0..<4 {
            XCTAssertEqual(codes.get(index), 0, "pack \(index)")
            XCTAssertEqual(try Data(contentsOf: temporary.appending("slug\(index).tgz")), expected, "pack \(index)")
        }
    }

    func testABadCacheLimitIsAUsageError() throws {
        let result = try slugc(["pack", ".", "-o", temporary.appending("x.tgz").path, "--pack-cache-limit", "lots"])
        XCTAssertEqual(result.exitCode, 64)
        XCTAssertTrue(result.stderr.contains("--pack-cache-limit lots: not a size; write e.g. 300M or 2G."), result.stderr)
    }
}

private final class ExitCodes: @unchecked Sendable {
    private let lock = NSLock()
    private var codes: [Int32]

    init(count: Int) { codes = Array(repeating: -2, count: count) }

    func set(_ index: Int, _ code: Int32) {
        lock.lock()
        codes[index] = code
        lock.unlock()
    }

    func get(_ index: Int) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        return codes[index]
    }
}
