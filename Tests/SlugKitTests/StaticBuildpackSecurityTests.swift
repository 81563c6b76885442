import Foundation
import SlugTestSupport
import XCTest

/// Nothing outside the site root is reachable: raw `..`, encoded `..`, and symlinks that point
/// out of the root (to the app folder, or to /etc) all answer 404.
final class StaticBuildpackSecurityTests: StaticSiteTestCase {
    override class func bootDyno() throws -> StaticSiteDyno {
        try StaticSiteDyno(fixture: "static-json") { app in
            let public_ = app.appendingPathComponent("public")
            let fm = FileManager.default
            try fm.createSymbolicLink(atPath: public_.appendingPathComponent("readme.txt").path, withDestinationPath: "../README.md")
            try fm.createSymbolicLink(atPath: public_.appendingPathComponent("passwd").path, withDestinationPath: "/etc/passwd")
            try fm.createSymbolicLink(atPath: public_.appendingPathComponent("etc").path, withDestinationPath: "/etc")
            try fm.createSymbolicLink(atPath: public_.appendingPathComponent("home.html").path, withDestinationPath: "index.html")
        }
    }

    func testTraversalAttemptsAre404() throws {
        let attempts = [
            "/../README.md", "/../../etc/passwd", "/../../../../../../etc/passwd", "/assets/../../README.md",
            "/%2e%2e/README.md", "/%2E%2E/%2E%2E/etc/passwd", "/assets/..%2f..%2fREADME.md", "/..%2fREADME.md",
            "/%2e%2e%2fstatic.json", "/..\\README.md", "/%00../README.md", "/%c0%ae%c0%ae/README.md",
            "//etc/passwd", "/.%2e/README.md",
        ]
        for path in attempts {
            let response = try dyno.get(path)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertTrue(response.body.contains("Lost at sea"), path)
            XCTAssertFalse(response.body.contains("root:") || response.body.contains("Lighthouse Notes\n\nThe site"), path)
        }
    }

    func testSymlinksOutOfTheRootAre404() throws {
        for path in ["/readme.txt", "/passwd", "/etc/passwd", "/etc/", "/etc"] {
            let response = try dyno.get(path)
            XCTAssertEqual(response.status, 404, path)
            XCTAssertFalse(response.body.contains("root:"), path)
        }
    }

    func testSymlinkWithinTheRootIsServed() throws {
        let response = try dyno.get("/home.html")
        XCTAssertEqual(response.status, 200)
        XCTAssertTrue(response.body.contains("<h1>Lighthouse Notes</h1>"), response.body)
    }

    func testAbsoluteFormRequestTargetStaysInTheRoot() throws {
        let raw = try rawHTTP(port: dyno.port, request: "GET http://evil.example/../../etc/passwd HTTP/1.0\r\nHost: x\r\n\r\n")
        let text = String(decoding: raw, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 404 "), text)
        XCTAssertFalse(text.contains("root:"), text)
    }
}
