import Foundation
import SlugKit
import SlugTestSupport
import XCTest

/// Fixtures/static-site: a plain site detected by its index.html, served from the app folder.
final class StaticBuildpackSiteTests: StaticSiteTestCase {
    static func bootSite() throws -> StaticSiteDyno {
        try StaticSiteDyno(fixture: "static-site") { app in
            let profile = app.appendingPathComponent(".profile.d")
            try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
            try "export SITE_SECRET=hunter2\n".write(to: profile.appendingPathComponent("site.sh"), atomically: false, encoding: .utf8)
        }
    }

    override class func bootDyno() throws -> StaticSiteDyno { try bootSite() }

    func testCompilePrintsHerokuStyleStepsAndInstallsTheServer() throws {
        let lines = dyno.compileResult.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(Array(lines.prefix(2)), [
            "-----> Installing static site server",
            "       Site root: ./ (default: the app folder)",
        ])
        XCTAssertTrue(lines.count > 2 && lines[2].hasPrefix("       Server: nginx 1.") && lines[2].contains(" (.static/bin/nginx, from /"),
                      lines.joined(separator: "\n"))
        XCTAssertEqual(dyno.compileResult.stderr, "")
        // run/ is the web process's own, made at boot when the dyno runs in this folder.
        let installed = try FileManager.default.contentsOfDirectory(atPath: dyno.app.appendingPathComponent(".static").path)
        XCTAssertEqual(installed.filter { $0 != "run" }.sorted(), ["bin", "boot.sh", "errors", "mime.types", "nginx.conf.template", "start.sh"])
    }

    func testNothingInTheSlugHoldsTheBuildDirectoryPath() throws {
        // Served pages first, so any cache the server might write exists too.
        _ = try dyno.get("/")
        XCTAssertEqual(try filesContaining(dyno.app.path, under: dyno.app), [])
    }

    func testServesIndexAtRootWithHTMLContentType() throws {
        let response = try dyno.get("/")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(response.body.contains("<h1>Harbour Bakery</h1>"), response.body)
    }

    func testContentTypesOfAssets() throws {
        let expected = [
            "/css/site.css": "text/css; charset=utf-8",
            "/js/app.js": "text/javascript; charset=utf-8",
            "/images/logo.svg": "image/svg+xml",
            "/images/loaf.png": "image/png",
            "/index.html": "text/html; charset=utf-8",
        ]
        for (path, type) in expected {
            let response = try dyno.get(path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertEqual(response.headers["content-type"], type, path)
        }
    }

    func testFolderRedirectsToTrailingSlashThenServesItsIndex() throws {
        let redirect = try dyno.get("/about?ref=home")
        XCTAssertEqual(redirect.status, 301)
        XCTAssertEqual(redirect.headers["location"], "/about/?ref=home")
        let page = try dyno.get("/about/")
        XCTAssertEqual(page.status, 200)
        XCTAssertTrue(page.body.contains("A family bakery by the harbour"), page.body)
    }

    func testMissingFileIs404WithDefaultPage() throws {
        let response = try dyno.get("/menu.html")
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(response.body.contains("<h1>Not Found</h1>"), response.body)
    }

    func testDotFilesAreNeverServed() throws {
        for path in ["/.htaccess", "/.static/start.sh", "/.static/", "/.profile.d/site.sh", "/%2estatic/boot.sh",
                     "/css/../.htaccess", "/.profile.d", "/.static/run/nginx.conf", "/.static/errors/404", "/.static/errors/400"] {
            let response = try dyno.get(path)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertFalse(response.body.contains("Deny from all") || response.body.contains("hunter2")
                || response.body.contains("nginx") || response.body.contains("message_"), path)
        }
    }

    func testHeadSendsHeadersWithoutBody() throws {
        let css = try Data(contentsOf: dyno.app.appendingPathComponent("css/site.css"))
        let response = try dyno.head("/css/site.css")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-length"], String(css.count))
        XCTAssertEqual(response.headers["content-type"], "text/css; charset=utf-8")
        XCTAssertEqual(response.trailing, 0)
    }

    func testEtagRevalidationAnswers304() throws {
        let first = try dyno.get("/css/site.css")
        let etag = try XCTUnwrap(first.headers["etag"])
        let second = try dyno.get("/css/site.css", headers: ["If-None-Match": etag])
        XCTAssertEqual(second.status, 304)
        XCTAssertEqual(second.body, "")
    }

    func testKeepAliveRequestsAreNotDelayedByNagle() throws {
        // With Nagle's algorithm on, each body waits ~40 ms for the client's delayed ACK: 25
        // requests would take a second. Without it they take a few milliseconds each.
        let started = Date()
        let statuses = try keepAliveGets(port: dyno.port, path: "/css/site.css", count: 25)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(statuses, Array(repeating: 200, count: 25))
        XCTAssertLessThan(elapsed, 0.6, "25 keep-alive requests took \(elapsed) s")
    }

    func testOtherMethodsAre405() throws {
        let raw = try rawHTTP(port: dyno.port, request: "POST / HTTP/1.0\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        let text = String(decoding: raw, as: UTF8.self)
        // nginx's reason phrase is "Not Allowed"; clients go by the code (RFC 9110, section 15.1).
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 405 "), text)
        XCTAssertTrue(text.contains("\r\nAllow: GET, HEAD\r\n"), text)
    }

    func testLogsOneRouterStyleLinePerRequest() throws {
        _ = try dyno.get("/css/site.css?log=1", headers: ["X-Forwarded-For": "203.0.113.9"])
        let size = try Data(contentsOf: dyno.app.appendingPathComponent("css/site.css")).count
        let expected = "at=info method=GET path=\"/css/site.css?log=1\" host=127.0.0.1:\(dyno.port) fwd=\"203.0.113.9\" status=200 bytes=\(size) service="
        let deadline = Date().addingTimeInterval(5)
        while !dyno.log.contains(expected) && Date() < deadline { usleep(20_000) }
        let lines = dyno.log.split(separator: "\n").filter { $0.contains("path=\"/css/site.css?log=1\"") }
        XCTAssertEqual(lines.count, 1, dyno.log)
        XCTAssertTrue(lines.first?.hasPrefix(expected) == true, dyno.log)
        XCTAssertTrue(lines.first?.hasSuffix("ms protocol=http") == true, dyno.log)
        XCTAssertTrue(dyno.log.hasPrefix("Serving ./ on 0.0.0.0:\(dyno.port)\n"), dyno.log)
    }

    func testSIGTERMShutsDownCleanly() throws {
        let dyno = try Self.bootSite()
        defer { dyno.shutDown() }
        let status = dyno.stop()
        XCTAssertEqual(status, 0)
        XCTAssertTrue(dyno.log.hasSuffix("Received SIGTERM, shutting down\n"), dyno.log)
        XCTAssertThrowsError(try dyno.get("/"))
    }
}
