import Foundation
import SlugTestSupport
import XCTest

/// Fixtures/static-auth: "basic_auth" with the app's .htpasswd (a SHA-512 crypt hash, checked by
/// the run image's libcrypt, and an apr1 hash, checked by nginx itself).
final class StaticBuildpackAuthTests: StaticSiteTestCase {
    override class func bootDyno() throws -> StaticSiteDyno { try StaticSiteDyno(fixture: "static-auth") }

    private func get(_ path: String, user: String? = nil, password: String = "") throws -> HTTPExchange {
        var headers: [String: String] = [:]
        if let user { headers["Authorization"] = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }
        return try httpRequest(port: dyno.port, path: path, headers: headers)
    }

    func testCompileSummary() throws {
        let lines = dyno.compileResult.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(3)), [
            "-----> Installing static site server",
            "       Site root: public/ (set by \"root\" in static.json)",
            "       static.json: basic_auth .htpasswd",
        ])
        XCTAssertTrue(lines.contains(
            "       With basic_auth, responses carry no ETag: a 304 would be answered before the password is checked."),
            dyno.compileResult.stdout)
    }

    func testNoPasswordThenTheRightOne() throws {
        let refused = try get("/")
        XCTAssertEqual(refused.status, 401)
        XCTAssertEqual(refused.headers["www-authenticate"], "Basic realm=\"Restricted\"")
        XCTAssertFalse(refused.text.contains("Keeper's Log"))

        let admitted = try get("/", user: "keeper", password: "lantern")
        XCTAssertEqual(admitted.status, 200)
        XCTAssertTrue(admitted.text.contains("<h1>Keeper's Log</h1>"), admitted.text)
        XCTAssertNil(admitted.headers["etag"])
        XCTAssertEqual(try get("/", user: "pilot", password: "foghorn").status, 200)
    }

    func testWrongPasswordsAndUsersAreRefused() throws {
        XCTAssertEqual(try get("/", user: "keeper", password: "foghorn").status, 401)
        XCTAssertEqual(try get("/", user: "stowaway", password: "lantern").status, 401)
        XCTAssertEqual(try get("/index.html", user: "keeper", password: "").status, 401)
    }

    func testThePasswordFileIsNeverServed() throws {
        XCTAssertEqual(try get("/.htpasswd").status, 401)
        XCTAssertEqual(try get("/.htpasswd", user: "keeper", password: "lantern").status, 404)
        // nginx refuses this request line before reading any header, the password's included:
        // its 404 page is private too, so the answer is 401.
        let climbing = try get("/../.htpasswd", user: "keeper", password: "lantern")
        XCTAssertEqual(climbing.status, 401)
        XCTAssertFalse(climbing.text.contains("keeper:"))
    }

    func testARevalidationNeedsThePasswordToo() throws {
        let refused = try httpRequest(port: dyno.port, path: "/", headers: ["If-None-Match": "*"])
        XCTAssertEqual(refused.status, 401)
    }
}
