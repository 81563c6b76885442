import Foundation
import SlugTestSupport
import XCTest

/// A bad static.json or site root fails `bin/compile` with one message that names static.json,
/// the line, the key, and what to do.
final class StaticBuildpackCompileErrorTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-static") }
    override func tearDown() { temporary?.remove() }

    /// Compiles Fixtures/static-public with `staticJSON` written as its static.json.
    private func compile(staticJSON: String) throws -> CommandResult {
        let app = try fixture("static-public", in: temporary)
        try staticJSON.write(to: app.appendingPathComponent("static.json"), atomically: false, encoding: .utf8)
        return try compileStaticSite(app, in: temporary)
    }

    private func assertFails(_ staticJSON: String, with message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try compile(staticJSON: staticJSON)
        XCTAssertEqual(result.exitCode, 1, file: file, line: line)
        XCTAssertEqual(result.stdout, "-----> Installing static site server\n", file: file, line: line)
        XCTAssertEqual(result.stderr, " !     \(message)\n", file: file, line: line)
    }

    func testInvalidJSONNamesLineAndColumn() throws {
        try assertFails("{\n  \"root\": \"public/\",\n  \"clean_urls\": true,\n}\n", with:
            "static.json line 4, column 1: invalid JSON (Expecting property name enclosed in double quotes). "
            + "Fix the syntax; a trailing comma or a missing quote is the usual cause.")
    }

    func testWrongTypedKeyNamesLineKeyAndFix() throws {
        try assertFails("{\n  \"root\": \"public/\",\n  \"clean_urls\": \"yes\"\n}\n", with:
            "static.json line 3: \"clean_urls\" must be true or false, not \"yes\" (a string). Write \"clean_urls\": true, or remove the key.")
    }

    func testWrongTypedNestedHeaderValue() throws {
        try assertFails("{\n  \"headers\": {\n    \"/assets/**\": {\n      \"Cache-Control\": 3600\n    }\n  }\n}\n", with:
            "static.json line 4: \"headers\"[\"/assets/**\"][\"Cache-Control\"] must be a string, not 3600 (a number). "
            + "Write \"Cache-Control\": \"value\", or remove the key.")
    }

    func testAStaticJSONLinkedOutsideTheAppIsNotRead() throws {
        let app = try fixture("static-public", in: temporary)
        let outside = temporary.appending("outside.json")
        try #"{"root": "public/"}"#.write(to: outside, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("static.json").path, withDestinationPath: outside.path)
        let result = try compileStaticSite(app, in: temporary)
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stderr, " !     static.json is a symlink to \(outside.path), which leads outside the app, so it was not read. Put the file itself in the app instead of a link (e.g. cp --remove-destination \"$(readlink -f static.json)\" static.json), and commit it.\n")
    }

    func testTopLevelMustBeAnObject() throws {
        try assertFails("[\"public/\"]\n", with:
            "static.json: the top level must be a JSON object such as {\"root\": \"public/\"}, not an array.")
    }

    func testMissingRoot() throws {
        try assertFails("{\n  \"root\": \"dist/\"\n}\n", with:
            "static.json line 2: \"root\" is \"dist/\", but dist/ does not exist in the app. "
            + "Build the site into that folder before compiling, or set \"root\" to the folder that holds index.html.")
    }

    func testRootEscapingTheApp() throws {
        let message = "Use a folder inside the app, such as \"root\": \"public/\"."
        try assertFails("{\n  \"root\": \"../\"\n}\n", with: "static.json line 2: \"root\" is \"../\", which is outside the app. " + message)
        try assertFails("{\"root\": \"/etc\"}\n", with: "static.json line 1: \"root\" is \"/etc\", which is outside the app. " + message)
    }

    func testRootSymlinkPointingOutOfTheApp() throws {
        let app = try fixture("static-public", in: temporary)
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("site").path, withDestinationPath: "/etc")
        try "{\"root\": \"site\"}\n".write(to: app.appendingPathComponent("static.json"), atomically: false, encoding: .utf8)
        let result = try compileStaticSite(app, in: temporary)
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stderr, " !     static.json line 1: \"root\" is \"site\", which is outside the app. "
            + "Use a folder inside the app, such as \"root\": \"public/\".\n")
    }

    func testRedirectStatusMustBeARedirect() throws {
        try assertFails("{\"redirects\": {\"/old\": {\"url\": \"/new\", \"status\": 200}}}", with:
            "static.json line 1: the redirect status for \"/old\" is 200. Use one of 301, 302, 303, 307, 308 (or leave it out for 301).")
    }

    func testPathsMustStartWithSlash() throws {
        try assertFails("{\"routes\": {\"app/**\": \"index.html\"}}", with:
            "static.json line 1: the path \"app/**\" must start with \"/\". Write it as \"/app/**\".")
    }

    func testMissingErrorPageAndRouteTarget() throws {
        try assertFails("{\n  \"error_page\": \"404.html\"\n}\n", with:
            "static.json line 2: \"error_page\" is \"404.html\", but public/404.html is not a file in the site root. "
            + "Add the file, or fix the path (it is relative to the site root public/).")
        try assertFails("{\n  \"routes\": {\n    \"/app/**\": \"app.html\"\n  }\n}\n", with:
            "static.json line 3: \"routes\"[\"/app/**\"] is \"app.html\", but public/app.html is not a file in the site root. "
            + "Add the file, or fix the path (it is relative to the site root public/).")
    }

    func testUnknownAndUnsupportedKeysWarnButBuild() throws {
        let result = try compile(staticJSON: "{\"logging\": {}, \"colour\": \"blue\"}")
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains(
            "\n !     Warning: static.json: \"logging\" is not supported by slugc's static buildpack and is ignored.\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains(
            "\n !     Warning: static.json: unknown key \"colour\" is ignored (supported: root, clean_urls, error_page, headers, "
            + "redirects, routes, https_only, encoding, proxies, basic_auth, basic_auth_htpasswd_path, canonical_host).\n"),
            result.stdout)
    }

    func testBadPortAtBootIsAClearError() throws {
        let app = try fixture("static-public", in: temporary)
        XCTAssertEqual(try compileStaticSite(app, in: temporary).exitCode, 0)
        let result = try runInDyno(app, command: try staticWebCommand(), environment: ["PORT": "web"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stderr, " !     PORT is \"web\", which is not a port number. Set PORT to a number from 1 to 65535.\n")
    }
}
