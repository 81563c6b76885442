import Foundation
import SlugTestSupport
import XCTest

/// Fixtures/static-https: `https_only` with the site at the app folder itself.
final class StaticBuildpackHTTPSTests: StaticSiteTestCase {
    override class func bootDyno() throws -> StaticSiteDyno { try StaticSiteDyno(fixture: "static-https") }

    func testPlainHTTPBehindTheRouterIsRedirectedToHTTPS() throws {
        let response = try dyno.get("/harbour/map?zoom=3", headers: ["X-Forwarded-Proto": "http"])
        XCTAssertEqual(response.status, 301)
        XCTAssertEqual(response.headers["location"], "https://127.0.0.1:\(dyno.port)/harbour/map?zoom=3")
    }

    func testHTTPSRequestsAndDirectRequestsAreServed() throws {
        let secure = try dyno.get("/", headers: ["X-Forwarded-Proto": "https"])
        XCTAssertEqual(secure.status, 200)
        XCTAssertTrue(secure.body.contains("<h1>Secure Harbour</h1>"), secure.body)
        XCTAssertEqual(try dyno.get("/").status, 200)
    }

    func testBuildFilesAtTheAppFolderAreNotServed() throws {
        for path in ["/static.json", "/.static/start.sh", "/.static/boot.sh", "/.static/nginx.conf.template"] {
            XCTAssertEqual(try dyno.get(path, headers: ["X-Forwarded-Proto": "https"]).status, 404, path)
        }
    }

    func testCompileSummary() throws {
        let lines = dyno.compileResult.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(3)), [
            "-----> Installing static site server",
            "       Site root: ./ (default: the app folder)",
            "       static.json: https_only",
        ])
    }
}
