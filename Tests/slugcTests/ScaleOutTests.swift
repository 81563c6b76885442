import Foundation
import SlugTestSupport
import XCTest

/// Builds are stateless apart from the cache folder, so many run at once (CI jobs, Kubernetes
/// Jobs): eight builds at once, each from a tarball URL, each PUTting its slug to a local server.
final class ScaleOutTests: XCTestCase {
    func testEightBuildsAtOnceFromURLsEachUploadTheirOwnCorrectSlug() throws {
        let temporary = try TemporaryDirectory(prefix: "slugc-scale")
        defer { temporary.remove() }
        let scratch = temporary.appending("tmp")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let server = try TestHTTPServer(root: temporary.appending("server"))
        defer { server.stop() }
        let count = 8
        for index in 0..<count {
            let app = try fixture("static-site", in: temporary, as: "app-\(index)")
            try "<h1>app \(index)</h1>\n".write(to: app.appendingPathComponent("index.html"), atomically: false, encoding: .utf8)
            let archive = temporary.appending("app-\(index).tgz")
            try tarball(of: app, at: archive)
            try server.serve(archive, as: "app-\(index).tgz")
        }
        @Sendable func build(_ index: Int, upload name: String) throws -> CommandResult {
            try slugc(["build", server.url("files/app-\(index).tgz"), "--upload", server.url("uploads/\(name)"), "--json",
                       "--cache-dir", temporary.appending("cache-\(index)").path], environment: ["TMPDIR": scratch.path])
        }

        let single = Date()
        XCTAssertEqual(try build(0, upload: "alone.tgz").exitCode, 0)
        let oneBuild = Date().timeIntervalSince(single)

        let results = ResultBox(count: count)
        let started = Date()
        DispatchQueue.concurrentPerform(iterations: count) { index in
            results.set(index, Result { try build(index, upload: "app-\(index).tgz") })
        }
        let eightBuilds = Date().timeIntervalSince(started)
        print(String(format: "scale-out: one build %.2f s, eight at once %.2f s (%.2f× one build) on %d cores",
                     oneBuild, eightBuilds, eightBuilds / oneBuild, ProcessInfo.processInfo.activeProcessorCount))

        for index in 0..<count {
            let result = try results.get(index)
            XCTAssertEqual(result.exitCode, 0, "build \(index): \(result.stderr)")
            let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let uploaded = try XCTUnwrap(server.uploaded("app-\(index).tgz"), "build \(index) uploaded nothing")
            XCTAssertEqual(release["size"] as? Int, uploaded.count)
            let slug = temporary.appending("uploaded-\(index).tgz")
            try uploaded.write(to: slug)
            let inspected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try slugc(["inspect", slug.path, "--json"]).stdout.utf8)) as? [String: Any])
            XCTAssertEqual(inspected["checksum"] as? String, release["checksum"] as? String, "build \(index)")
            let app = try extractWithSystemTar(slug, in: temporary)
            XCTAssertEqual(readText(app.appendingPathComponent("index.html")), "<h1>app \(index)</h1>\n", "build \(index) uploaded another app's slug")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }
}

/// Results written from `concurrentPerform`'s threads.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<CommandResult, Error>?]
    init(count: Int) { results = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ result: Result<CommandResult, Error>) { lock.lock(); results[index] = result; lock.unlock() }
    func get(_ index: Int) throws -> CommandResult {
        lock.lock()
        defer { lock.unlock() }
        guard let result = results[index] else { throw FixtureError(message: "build \(index) never ran") }
        return try result.get()
    }
}
