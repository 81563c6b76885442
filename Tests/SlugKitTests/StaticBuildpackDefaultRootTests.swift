import Foundation
import SlugTestSupport
import XCTest

/// Without a "root" in static.json: public_html/ if it exists (Heroku's default), else public/
/// when it holds index.html, else the app folder.
final class StaticBuildpackDefaultRootTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-static") }
    override func tearDown() { temporary?.remove() }

    func testPublicIndexMakesPublicTheRoot() throws {
        let dyno = try StaticSiteDyno(fixture: "static-public")
        defer { dyno.shutDown() }
        XCTAssertTrue(dyno.compileResult.stdout.hasPrefix(
            "-----> Installing static site server\n       Site root: public/ (default: public/index.html exists)\n"), dyno.compileResult.stdout)
        let index = try dyno.get("/")
        XCTAssertTrue(index.body.contains("<h1>Tide Tables</h1>"), index.body)
        XCTAssertEqual(try dyno.get("/notes.txt").status, 404)
        XCTAssertEqual(try dyno.get("/public/index.html").status, 404)
    }

    func testPublicHTMLWinsOverPublic() throws {
        let app = try fixture("static-public", in: temporary)
        let publicHTML = app.appendingPathComponent("public_html")
        try FileManager.default.createDirectory(at: publicHTML, withIntermediateDirectories: true)
        try "<h1>Old site</h1>\n".write(to: publicHTML.appendingPathComponent("index.html"), atomically: false, encoding: .utf8)
        let result = try compileStaticSite(app, in: temporary)
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix(
            "-----> Installing static site server\n       Site root: public_html/ (default: public_html/ exists)\n"), result.stdout)
    }

    func testAppOwnDotStaticFolderIsReplaced() throws {
        let app = try fixture("static-site", in: temporary)
        let own = app.appendingPathComponent(".static")
        try FileManager.default.createDirectory(at: own, withIntermediateDirectories: true)
        try "mine\n".write(to: own.appendingPathComponent("notes.txt"), atomically: false, encoding: .utf8)
        let result = try compileStaticSite(app, in: temporary)
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("\n       Replacing the app's own .static/ folder (the server lives there)\n"), result.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: own.path).sorted(),
                       ["bin", "boot.sh", "errors", "mime.types", "nginx.conf.template", "start.sh"])
    }
}
