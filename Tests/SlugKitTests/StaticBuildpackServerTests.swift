import Foundation
import SlugTestSupport
import XCTest

/// What nginx adds over the old server on Fixtures/static-json: gzip, ranges, long caching of
/// fingerprinted files, and validators that follow the site's content rather than its mtimes.
final class StaticBuildpackServerTests: StaticSiteTestCase {
    static let atlas = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 251) })
    static let logbook = String(repeating: "High water at the north pier, 06:12; low water 12:31.\n", count: 400)

    override class func bootDyno() throws -> StaticSiteDyno {
        try StaticSiteDyno(fixture: "static-json") { app in
            let site = app.appendingPathComponent("public")
            for folder in ["charts", "js", "notes"] {
                try FileManager.default.createDirectory(at: site.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            try atlas.write(to: site.appendingPathComponent("charts/atlas.bin"))
            try logbook.write(to: site.appendingPathComponent("notes/logbook.txt"), atomically: false, encoding: .utf8)
            try "console.log('tides');\n".write(to: site.appendingPathComponent("js/tides.3f2a9c1b77.js"), atomically: false, encoding: .utf8)
            try "<svg/>\n".write(to: site.appendingPathComponent("assets/logo.0a1b2c3d.svg"), atomically: false, encoding: .utf8)
        }
    }

    func testTextIsGzippedForClientsThatAskAndTheETagBecomesWeak() throws {
        let plain = try httpRequest(port: dyno.port, path: "/notes/logbook.txt")
        XCTAssertNil(plain.headers["content-encoding"])
        XCTAssertEqual(plain.text, Self.logbook)
        let strong = try XCTUnwrap(plain.headers["etag"])

        let zipped = try httpRequest(port: dyno.port, path: "/notes/logbook.txt", headers: ["Accept-Encoding": "gzip"])
        XCTAssertEqual(zipped.status, 200)
        XCTAssertEqual(zipped.headers["content-encoding"], "gzip")
        XCTAssertEqual(zipped.headers["vary"], "Accept-Encoding")
        XCTAssertLessThan(zipped.body.count, Self.logbook.utf8.count / 10)
        XCTAssertEqual(try gunzip(zipped.body), Data(Self.logbook.utf8))
        XCTAssertEqual(zipped.headers["etag"], "W/" + strong, "a compressed body is not byte-equal to the file")

        let revalidated = try httpRequest(port: dyno.port, path: "/notes/logbook.txt",
                                          headers: ["Accept-Encoding": "gzip", "If-None-Match": "W/" + strong])
        XCTAssertEqual(revalidated.status, 304)
        XCTAssertTrue(revalidated.body.isEmpty)
    }

    func testRangeRequestsGetPartialContent() throws {
        let part = try httpRequest(port: dyno.port, path: "/charts/atlas.bin", headers: ["Range": "bytes=1000-1999"])
        XCTAssertEqual(part.status, 206)
        XCTAssertEqual(part.headers["content-range"], "bytes 1000-1999/\(Self.atlas.count)")
        XCTAssertEqual(part.body, Self.atlas[1000..<2000])
        let tail = try httpRequest(port: dyno.port, path: "/charts/atlas.bin", headers: ["Range": "bytes=-10"])
        XCTAssertEqual(tail.status, 206)
        XCTAssertEqual(tail.body, Self.atlas.suffix(10))
        let whole = try httpRequest(port: dyno.port, path: "/charts/atlas.bin")
        XCTAssertEqual(whole.headers["accept-ranges"], "bytes")
        XCTAssertEqual(whole.headers["content-type"], "application/octet-stream")
        XCTAssertEqual(whole.body, Self.atlas)
    }

    func testHeadOfALargeFileSendsNoBody() throws {
        let head = try dyno.head("/charts/atlas.bin")
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-length"], String(Self.atlas.count))
        XCTAssertEqual(head.trailing, 0)
    }

    func testFingerprintedFilesAreCachedForAYearUnlessAHeaderRuleSaysOtherwise() throws {
        let script = try httpRequest(port: dyno.port, path: "/js/tides.3f2a9c1b77.js")
        XCTAssertEqual(script.status, 200)
        XCTAssertEqual(script.headers["cache-control"], "public, max-age=31536000, immutable")
        // "/assets/**" sets Cache-Control itself: one header, the rule's.
        let logo = try rawHTTP(port: dyno.port, request: "GET /assets/logo.0a1b2c3d.svg HTTP/1.0\r\nHost: x\r\n\r\n")
        let lines = String(decoding: logo, as: UTF8.self).components(separatedBy: "\r\n").filter { $0.lowercased().hasPrefix("cache-control:") }
        XCTAssertEqual(lines, ["Cache-Control: public, max-age=31536000, immutable"])
        // A fingerprinted name that is not a file gets the single-page app's shell, which must not be cached.
        let shell = try httpRequest(port: dyno.port, path: "/app/main.0a1b2c3d.js")
        XCTAssertEqual(shell.status, 200)
        XCTAssertTrue(shell.text.contains("Loading the log book"))
        XCTAssertNil(shell.headers["cache-control"])
        XCTAssertNil(try httpRequest(port: dyno.port, path: "/about").headers["cache-control"])
    }

    func testNoMtimeValidators() throws {
        // Every file in a slug has the same fixed mtime: a Last-Modified of 1980 would let browsers
        // cache for years, and If-Modified-Since would answer 304 for a changed file.
        let page = try httpRequest(port: dyno.port, path: "/about")
        XCTAssertNil(page.headers["last-modified"])
        let asked = try httpRequest(port: dyno.port, path: "/about", headers: ["If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"])
        XCTAssertEqual(asked.status, 200)
        let stale = try httpRequest(port: dyno.port, path: "/about", headers: ["If-None-Match": "\"0123456789abcdef0123456789abcdef\""])
        XCTAssertEqual(stale.status, 200)
    }

    func testTheETagFollowsTheSiteContent() throws {
        let temporary = try TemporaryDirectory(prefix: "slugc-static-etag")
        defer { temporary.remove() }
        func etag(changing change: String?) throws -> String {
            let app = try fixture("static-json", in: temporary, as: "app-\(UUID().uuidString.prefix(6))")
            if let change {
                try change.write(to: app.appendingPathComponent("public/assets/site.css"), atomically: false, encoding: .utf8)
            }
            XCTAssertEqual(try compileStaticSite(app, in: temporary).exitCode, 0)
            let template = try String(contentsOf: app.appendingPathComponent(".static/nginx.conf.template"), encoding: .utf8)
            let line = try XCTUnwrap(template.components(separatedBy: "\n").first { $0.contains("\"~^(200|206|304):0$\"") })
            return line
        }
        let original = try etag(changing: nil)
        XCTAssertEqual(try etag(changing: nil), original, "the same site must keep its ETag across builds")
        // Same size as the fixture's site.css (80 bytes), different bytes: nginx's mtime-size ETag would not change.
        let sameSize = String(repeating: "b", count: 79) + "\n"
        XCTAssertNotEqual(try etag(changing: sameSize), original)
    }

    private func gunzip(_ data: Data) throws -> Data {
        let temporary = try TemporaryDirectory(prefix: "slugc-gunzip")
        defer { temporary.remove() }
        let file = temporary.appending("body.gz")
        try data.write(to: file)
        let result = try runCommand("/usr/bin/env", ["gzip", "-dk", file.path])
        guard result.exitCode == 0 else { throw FixtureError(message: "gzip -d failed: \(result.stderr)") }
        return try Data(contentsOf: temporary.appending("body"))
    }
}
