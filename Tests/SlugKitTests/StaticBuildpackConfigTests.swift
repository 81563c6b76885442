import Foundation
import SlugTestSupport
import XCTest

/// Fixtures/static-json: static.json with root, clean_urls, error_page, headers, redirects, routes.
final class StaticBuildpackConfigTests: StaticSiteTestCase {
    override class func bootDyno() throws -> StaticSiteDyno { try StaticSiteDyno(fixture: "static-json") }

    func testCompileSummarisesStaticJSON() throws {
        let lines = dyno.compileResult.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(3)), [
            "-----> Installing static site server",
            "       Site root: public/ (set by \"root\" in static.json)",
            "       static.json: clean_urls, error_page 404.html, headers (3), redirects (2), routes (1)",
        ])
        XCTAssertEqual(dyno.compileResult.exitCode, 0)
    }

    func testRootIsServedAndFilesOutsideItAreNot() throws {
        let index = try dyno.get("/")
        XCTAssertEqual(index.status, 200)
        XCTAssertTrue(index.body.contains("<h1>Lighthouse Notes</h1>"), index.body)
        XCTAssertEqual(try dyno.get("/README.md").status, 404)
        XCTAssertEqual(try dyno.get("/static.json").status, 404)
        XCTAssertEqual(try dyno.get("/public/index.html").status, 404)
    }

    func testCleanURLsServeTheHTMLFileWithoutItsExtension() throws {
        let clean = try dyno.get("/about")
        XCTAssertEqual(clean.status, 200)
        XCTAssertEqual(clean.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(clean.body.contains("<h1>About Lighthouse Notes</h1>"), clean.body)
        XCTAssertEqual(try dyno.get("/about.html").status, 200)
        XCTAssertEqual(try dyno.get("/about/").status, 404, "a clean URL is a file, not a folder")
    }

    func testErrorPageIsServedWithStatus404() throws {
        let response = try dyno.get("/charts/north-pier")
        XCTAssertEqual(response.status, 404)
        XCTAssertEqual(response.headers["content-type"], "text/html; charset=utf-8")
        XCTAssertTrue(response.body.contains("<h1>Lost at sea</h1>"), response.body)
        XCTAssertNil(response.headers["etag"], "an error page must not be revalidated as if it were the resource")
    }

    func testHeaderRulesMatchGlobsAndMergeInOrder() throws {
        let css = try dyno.get("/assets/site.css")
        XCTAssertEqual(css.headers["cache-control"], "public, max-age=31536000, immutable")
        XCTAssertEqual(css.headers["x-content-type-options"], "nosniff")
        XCTAssertNil(css.headers["access-control-allow-origin"])

        let json = try dyno.get("/assets/entries.json")
        XCTAssertEqual(json.headers["content-type"], "application/json")
        XCTAssertEqual(json.headers["access-control-allow-origin"], "*")
        XCTAssertEqual(json.headers["cache-control"], "public, max-age=31536000, immutable")

        let page = try dyno.get("/about")
        XCTAssertEqual(page.headers["x-content-type-options"], "nosniff")
        XCTAssertNil(page.headers["cache-control"], "/assets/** must not match /about")
    }

    func testWasmContentType() throws {
        let response = try dyno.get("/assets/tide.wasm")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.headers["content-type"], "application/wasm")
    }

    func testRedirectsUseTheirStatusAndLocation() throws {
        let permanent = try dyno.get("/old-about")
        XCTAssertEqual(permanent.status, 301)
        XCTAssertEqual(permanent.headers["location"], "/about")
        let temporary = try dyno.get("/blog")
        XCTAssertEqual(temporary.status, 302)
        XCTAssertEqual(temporary.headers["location"], "https://blog.example.com/")
    }

    func testCustomRouteServesTheSinglePageAppShell() throws {
        for path in ["/app/", "/app/entries/2024-03-01", "/app/settings"] {
            let response = try dyno.get(path)
            XCTAssertEqual(response.status, 200, path)
            XCTAssertTrue(response.body.contains("Loading the log book"), path)
        }
        XCTAssertEqual(try dyno.get("/apple").status, 404, "/app/** must not match /apple")
    }

    func testFilesWinOverRoutes() throws {
        let script = try dyno.get("/assets/app.js")
        XCTAssertEqual(script.headers["content-type"], "text/javascript; charset=utf-8")
        XCTAssertTrue(script.body.contains("fetch(\"/assets/entries.json\")"), script.body)
    }

    func testHTTPSOnlyOffLeavesPlainHTTPAlone() throws {
        let response = try dyno.get("/", headers: ["X-Forwarded-Proto": "http"])
        XCTAssertEqual(response.status, 200)
    }
}
