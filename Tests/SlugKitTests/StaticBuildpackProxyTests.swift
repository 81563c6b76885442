import Foundation
import SlugTestSupport
import XCTest

/// Fixtures/static-proxy: "/api/" is proxied to an origin named with ${UPSTREAM_PORT}, and a
/// redirect's URL takes ${DOCS_HOST} plus a "$", "&", "'" and ";" of its own. The origin is a
/// local `python3 -m http.server` (on this machine, not in the run image).
final class StaticBuildpackProxyTests: StaticSiteTestCase {
    nonisolated(unsafe) private static var origin: RunningApp?  // XCTest: one test at a time
    nonisolated(unsafe) private static var originFolder: TemporaryDirectory?

    override class func bootDyno() throws -> StaticSiteDyno {
        let folder = try TemporaryDirectory(prefix: "slugc-origin")
        originFolder = folder
        try FileManager.default.createDirectory(at: folder.appending("v1"), withIntermediateDirectories: true)
        try "{\"high\": \"06:12\"}\n".write(to: folder.appending("v1/tides.json"), atomically: false, encoding: .utf8)
        let port = freePort()
        let server = try RunningApp(executable: "/usr/bin/env",
                                    ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder.url.path],
                                    port: port)
        origin = server
        _ = try waitForHTTP(port: port, path: "/", seconds: 15)
        return try StaticSiteDyno(fixture: "static-proxy", environment: ["UPSTREAM_PORT": String(port), "DOCS_HOST": "docs.example.com"])
    }

    override class func tearDown() {
        super.tearDown()
        origin?.stop()
        origin = nil
        originFolder?.remove()
        originFolder = nil
    }

    func testCompileSummary() throws {
        let lines = dyno.compileResult.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[2], "       static.json: redirects (1), proxies (1)")
    }

    func testTheProxiedFolderReachesTheOriginUnderItsPath() throws {
        let tides = try httpRequest(port: dyno.port, path: "/api/tides.json")
        XCTAssertEqual(tides.status, 200, tides.text)
        XCTAssertEqual(tides.text, "{\"high\": \"06:12\"}\n")
        XCTAssertEqual(tides.headers["content-type"], "application/json", "the origin's type, with no charset added")
        XCTAssertNil(tides.headers["etag"], "the site's ETag is not the origin's")
        XCTAssertEqual(try httpRequest(port: dyno.port, path: "/api/missing.json").status, 404)
    }

    func testEveryMethodIsPassedOn() throws {
        // http.server answers 501 to POST: the request reached it instead of the site's 405.
        let posted = try httpRequest(port: dyno.port, method: "POST", path: "/api/tides.json", body: "{}")
        XCTAssertEqual(posted.status, 501)
        XCTAssertEqual(try httpRequest(port: dyno.port, method: "POST", path: "/", body: "{}").status, 405)
    }

    func testTheFolderWithoutItsSlashRedirects() throws {
        let bare = try httpRequest(port: dyno.port, path: "/api")
        XCTAssertEqual(bare.status, 301)
        XCTAssertEqual(bare.headers["location"], "/api/")
    }

    func testTheSiteIsStillServed() throws {
        let index = try httpRequest(port: dyno.port, path: "/")
        XCTAssertEqual(index.status, 200)
        XCTAssertTrue(index.text.contains("<h1>Tide Board</h1>"))
    }

    func testRedirectTakesItsConfigVarAndKeepsItsOwnCharacters() throws {
        let moved = try httpRequest(port: dyno.port, path: "/docs")
        XCTAssertEqual(moved.status, 302)
        XCTAssertEqual(moved.headers["location"], "https://docs.example.com/start?from=$site&tide='high';x=1")
    }
}
