import Foundation
import SlugTestSupport
import XCTest

/// What the web process completes at boot from config vars (${NAME} in static.json): checked
/// before nginx starts, and copied in without ever being evaluated.
final class StaticBuildpackBootTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-static-boot") }
    override func tearDown() { temporary?.remove() }

    /// Compiles Fixtures/static-public with `staticJSON`, then runs the web process to its end
    /// with `environment` (a bad value stops it before nginx starts).
    private func boot(_ staticJSON: String, environment: [String: String]) throws -> CommandResult {
        let app = try fixture("static-public", in: temporary)
        try staticJSON.write(to: app.appendingPathComponent("static.json"), atomically: false, encoding: .utf8)
        let compiled = try compileStaticSite(app, in: temporary)
        guard compiled.succeeded else { throw FixtureError(message: "bin/compile failed: \(compiled.output)") }
        return try runInDyno(app, command: try staticWebCommand(), environment: environment.merging(["PORT": String(freePort())]) { a, _ in a })
    }

    func testARedirectURLThatAConfigVarBreaksStopsTheBoot() throws {
        let result = try boot("{\"redirects\": {\"/docs\": {\"url\": \"https://${DOCS_HOST}/\"}}}",
                              environment: ["DOCS_HOST": "evil\"; return 200 x"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stderr, " !     static.json \"redirects\"[\"/docs\"][\"url\"] is \"https://evil\"; return 200 x/\" with "
            + "this dyno's config vars, which is not a URL a redirect can send (no spaces, quotes, backslashes or braces). "
            + "Fix the config vars it uses (${DOCS_HOST}).\n")
        XCTAssertEqual(result.stdout, "")
    }

    func testAProxyOriginThatIsNotAnHTTPURLStopsTheBoot() throws {
        let result = try boot("{\"proxies\": {\"/api\": {\"origin\": \"${API_URL}\"}}}", environment: ["API_URL": "file:///etc/"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stderr, " !     static.json \"proxies\"[\"/api\"][\"origin\"] is \"file:///etc/\" with this dyno's config "
            + "vars, which is not an http:// or https:// URL with a host and no \"$\". Fix the config vars it uses (${API_URL}).\n")
    }

    func testACanonicalHostThatIsNotAHostNameStopsTheBoot() throws {
        let result = try boot("{\"canonical_host\": \"${CANONICAL_HOST}\"}", environment: ["CANONICAL_HOST": "example.com; deny all"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stderr, " !     static.json \"canonical_host\" is \"example.com; deny all\" with this dyno's config vars, "
            + "which is not a host name (letters, digits, dots and dashes). Fix the config vars it uses (${CANONICAL_HOST}).\n")
    }

    func testUnsetConfigVarsAreLeftEmptyWithAWarningAndValuesKeepTheirCharacters() throws {
        let dyno = try StaticSiteDyno(fixture: "static-public", environment: ["SECTION": "a&b$c;d'e"]) { app in
            try "{\"redirects\": {\"/docs\": {\"url\": \"https://docs.example.com/${SECTION}${MISSING_VAR}\"}}}"
                .write(to: app.appendingPathComponent("static.json"), atomically: false, encoding: .utf8)
        }
        defer { dyno.shutDown() }
        let moved = try httpRequest(port: dyno.port, path: "/docs")
        XCTAssertEqual(moved.status, 301)
        XCTAssertEqual(moved.headers["location"], "https://docs.example.com/a&b$c;d'e")
        XCTAssertTrue(dyno.log.contains(
            " !     Warning: static.json \"redirects\"[\"/docs\"][\"url\"] uses ${MISSING_VAR}, which is not set; it is left empty.\n"),
            dyno.log)
    }

    func testRunsAsAPlainUserWhoseStdoutBelongsToSomeoneElse() throws {
        // A dyno runs as a plain user, and its stdout may be a pipe or file it did not make:
        // nginx must log through what it inherits, never by opening /dev/stdout.
        try XCTSkipUnless(geteuid() == 0, "switching to the user nobody needs root")
        let app = try fixture("static-public", in: temporary)
        XCTAssertEqual(try compileStaticSite(app, in: temporary).exitCode, 0)
        XCTAssertEqual(try runCommand("/bin/chown", ["-R", "nobody:nogroup", app.path]).exitCode, 0)
        let port = freePort()
        let server = try RunningApp(executable: "/usr/bin/setpriv",
                                    ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", "/bin/bash", "-c",
                                     "cd \"$HOME\" && exec bash -c \"$1\"", "dyno", try staticWebCommand()],
                                    environment: ["HOME": app.path, "PORT": String(port)], workingDirectory: app, port: port)
        let page = try waitForHTTP(port: port, path: "/", seconds: 20)
        XCTAssertEqual(page.status, 200, server.output)
        XCTAssertTrue(page.body.contains("<h1>Tide Tables</h1>"))
        let log = server.stop()
        XCTAssertEqual(server.process.terminationStatus, 0, log)
        XCTAssertTrue(log.contains("at=info method=GET path=\"/\" host=127.0.0.1:\(port) "), log)
        XCTAssertFalse(log.contains("Permission denied") || log.contains("[emerg]") || log.contains("[warn]"), log)
        XCTAssertTrue(log.hasSuffix("Received SIGTERM, shutting down\n"), log)
    }

    func testCanonicalHostRedirectsOtherHostsInOneHopWithHTTPSOnly() throws {
        let dyno = try StaticSiteDyno(fixture: "static-public", environment: ["CANONICAL_HOST": "www.example.com"]) { app in
            try "{\"canonical_host\": \"${CANONICAL_HOST}\", \"https_only\": true}"
                .write(to: app.appendingPathComponent("static.json"), atomically: false, encoding: .utf8)
        }
        defer { dyno.shutDown() }
        let plain = try httpRequest(port: dyno.port, path: "/tides?day=3", host: "example.com", headers: ["X-Forwarded-Proto": "http"])
        XCTAssertEqual(plain.status, 301)
        XCTAssertEqual(plain.headers["location"], "https://www.example.com/tides?day=3")
        let other = try httpRequest(port: dyno.port, path: "/tides?day=3", host: "example.com", headers: ["X-Forwarded-Proto": "https"])
        XCTAssertEqual(other.status, 301)
        XCTAssertEqual(other.headers["location"], "https://www.example.com/tides?day=3")
        let canonical = try httpRequest(port: dyno.port, path: "/", host: "WWW.example.com", headers: ["X-Forwarded-Proto": "https"])
        XCTAssertEqual(canonical.status, 200)
        XCTAssertTrue(canonical.text.contains("<h1>Tide Tables</h1>"))
    }
}
