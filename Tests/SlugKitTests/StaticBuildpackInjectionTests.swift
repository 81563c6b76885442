import Foundation
import SlugTestSupport
import XCTest

/// Values from static.json become nginx configuration; none may change its structure. Each
/// attempt is either refused at compile (the message names static.json, the line, the key and
/// the fix) or arrives in nginx as the very characters static.json holds.
final class StaticBuildpackInjectionTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-static-inject") }
    override func tearDown() { temporary?.remove() }

    private func assertRefused(_ staticJSON: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let app = try fixture("static-public", in: temporary, as: "app-\(UUID().uuidString.prefix(6))")
        try staticJSON.write(to: app.appendingPathComponent("static.json"), atomically: false, encoding: .utf8)
        let result = try compileStaticSite(app, in: temporary)
        XCTAssertEqual(result.exitCode, 1, result.stdout, file: file, line: line)
        XCTAssertEqual(result.stderr, " !     \(message)\n", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: app.appendingPathComponent(".static").path), file: file, line: line)
    }

    func testHeaderNamesMustBeTokens() throws {
        // Each name as static.json's source writes it, which is also how the message quotes it.
        for name in ["X-A;b", "X-A{", "X-A}", "X\\\"A", "X A", "X-A\\nB", "X-A(", "X-A:b"] {
            try assertRefused("{\"headers\": {\"/**\": {\"\(name)\": \"1\"}}}",
                "static.json line 1: \"\(name)\" is not a valid header name. Use letters, digits and dashes, such as \"Cache-Control\".")
        }
    }

    func testHeaderValuesMayNotHoldLineBreaksOrControlCharacters() throws {
        try assertRefused("{\n  \"headers\": {\"/**\": {\n    \"X-Note\": \"a\\r\\nSet-Cookie: x=1\"}}\n}\n",
            "static.json line 3: the value of \"headers\"[\"/**\"][\"X-Note\"] contains a line break. Put the value on one line.")
        try assertRefused("{\"headers\": {\"/**\": {\"X-Note\": \"bell\\u0007\"}}}",
            "static.json line 1: \"headers\"[\"/**\"][\"X-Note\"] contains a control character (U+0007), which nginx's "
            + "configuration cannot hold. Remove it.")
    }

    func testRedirectURLsMayNotHoldWhatAURLCannot() throws {
        let cases: [(String, String)] = [
            ("/new\\\"; return 200 \\\"x", "a double quote (\"), which a URL cannot hold. Write it as %22."),
            ("/new{x}", "a \"{\" that does not start ${NAME}, which a URL cannot hold. Write it as %7B."),
            ("/new}", "a \"}\" that does not end ${NAME}, which a URL cannot hold. Write it as %7D."),
            ("/new page", "a space, which a URL cannot hold. Write it as %20."),
            ("/new\\\\page", "a backslash, which a URL cannot hold. Write it as %5C."),
        ]
        for (url, problem) in cases {
            try assertRefused("{\"redirects\": {\"/old\": {\"url\": \"\(url)\"}}}",
                              "static.json line 1: \"redirects\"[\"/old\"][\"url\"] contains \(problem)")
        }
        try assertRefused("{\"redirects\": {\"/old\": {\"url\": \"https://${HOST/\"}}}",
            "static.json line 1: \"redirects\"[\"/old\"][\"url\"] has a \"$\" followed by \"{\" that is not a ${NAME} config "
            + "var. Write ${NAME} with letters, digits and \"_\", such as ${API_HOST}, or write the \"$\" as %24.")
        try assertRefused("{\"redirects\": {\"/old\": {\"url\": \"/new\\n\"}}}",
            "static.json line 1: the redirect for \"/old\" has an empty or multi-line \"url\". Write a path such as \"url\": \"/new\".")
    }

    func testPathsAndFileNamesMayNotHoldControlCharacters() throws {
        try assertRefused("{\"routes\": {\"/app/**\\n\": \"index.html\"}}",
            "static.json line 1: \"routes\"[\"/app/**\\n\"] contains a control character (U+000A), which nginx's configuration "
            + "cannot hold. Remove it.")
        try assertRefused("{\"routes\": {\"/app/**\": \"index.html\\u0000\"}}",
            "static.json line 1: \"routes\"[\"/app/**\"] contains a control character (U+0000), which nginx's configuration "
            + "cannot hold. Remove it.")
        try assertRefused("{\"headers\": {\"/a\\tb\": {\"X-A\": \"1\"}}}",
            "static.json line 1: \"headers\"[\"/a\\tb\"] contains a control character (U+0009), which nginx's configuration "
            + "cannot hold. Remove it.")
        try assertRefused("{\"root\": \"public\\n\"}",
            "static.json line 1: \"root\" contains a control character (U+000A), which nginx's configuration cannot hold. Remove it.")
        try assertRefused("{\"error_page\": \"404.html\\u001b\"}",
            "static.json line 1: \"error_page\" contains a control character (U+001B), which nginx's configuration cannot hold. "
            + "Remove it.")
    }

    func testProxyOriginsAndHostsAreChecked() throws {
        try assertRefused("{\"proxies\": {\"/api/\": {\"origin\": \"http://api\\\"; }\"}}}",
            "static.json line 1: \"proxies\"[\"/api/\"][\"origin\"] contains a double quote (\"), which a URL cannot hold. Write it as %22.")
        try assertRefused("{\"proxies\": {\"/api/\": {\"origin\": \"javascript:alert(1)\"}}}",
            "static.json line 1: \"proxies\"[\"/api/\"][\"origin\"] is \"javascript:alert(1)\", which is not an http:// or https:// "
            + "URL with a host. Write it as \"https://api.example.com/\" (${NAME} takes a config var, e.g. \"https://${API_HOST}/\").")
        try assertRefused("{\"proxies\": {\"/api/\": {\"origin\": \"http://127.0.0.1/$uri\"}}}",
            "static.json line 1: \"proxies\"[\"/api/\"][\"origin\"] is \"http://127.0.0.1/$uri\", which is not an http:// or https:// "
            + "URL with a host. Write it as \"https://api.example.com/\" (${NAME} takes a config var, e.g. \"https://${API_HOST}/\").")
        for host in ["evil.example; return 200", "a\\\"b", "{x}", "example.com:8080", "https://example.com"] {
            try assertRefused("{\"canonical_host\": \"\(host)\"}",
                "static.json line 1: \"canonical_host\" is \"\(host)\", which is not a host name. Write a name such as "
                + "\"canonical_host\": \"www.example.com\" (no scheme, port or path; ${NAME} takes a config var).")
        }
        try assertRefused("{\"encoding\": \"utf-8; charset_types *\"}",
            "static.json line 1: \"encoding\" is \"utf-8; charset_types *\", which is not a charset name. Write a name such as \"encoding\": \"UTF-8\".")
    }

    /// The characters nginx's syntax gives meaning to, in every value that is quoted rather than
    /// refused: the site boots (nginx accepted the configuration) and sends them back verbatim.
    func testQuotedValuesArriveVerbatim() throws {
        let weirdName = "q\"uote;{b}$uri'"
        let dyno = try StaticSiteDyno(fixture: "static-public") { app in
            let site = app.appendingPathComponent("public")
            try "weird page\n".write(to: site.appendingPathComponent(weirdName + ".html"), atomically: false, encoding: .utf8)
            try "lost\n".write(to: site.appendingPathComponent("err\";{x}.html"), atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: site.appendingPathComponent("leak\"{;}$x.txt").path,
                                                       withDestinationPath: "/etc/passwd")
            let config: [String: Any] = [
                "clean_urls": true,
                "error_page": "err\";{x}.html",
                "headers": [
                    "/we\"ird;{x}/*": ["X-Quote": "a\"b;c{d}e'f\\g$uri h } ; add_header X-Evil 1"],
                    "/**": ["X-Dollar": "$request_uri ${static_dollar} $"],
                ],
                "redirects": ["/old;{\"x\"}": ["url": "/new?a=1&b=$2;c='3'#top"]],
                "routes": ["/sp{a}/**": "index.html"],
            ]
            try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
                .write(to: app.appendingPathComponent("static.json"))
        }
        defer { dyno.shutDown() }

        let quoted = try httpRequest(port: dyno.port, path: "/we%22ird;%7Bx%7D/page")
        XCTAssertEqual(quoted.headers["x-quote"], "a\"b;c{d}e'f\\g$uri h } ; add_header X-Evil 1")
        XCTAssertNil(quoted.headers["x-evil"])
        XCTAssertEqual(quoted.headers["x-dollar"], "$request_uri ${static_dollar} $")

        let moved = try httpRequest(port: dyno.port, path: "/old;%7B%22x%22%7D")
        XCTAssertEqual(moved.status, 301)
        XCTAssertEqual(moved.headers["location"], "/new?a=1&b=$2;c='3'#top")

        let routed = try httpRequest(port: dyno.port, path: "/sp%7Ba%7D/deep/link")
        XCTAssertEqual(routed.status, 200)
        XCTAssertTrue(routed.text.contains("<h1>Tide Tables</h1>"), routed.text)

        let clean = try httpRequest(port: dyno.port, path: "/q%22uote;%7Bb%7D$uri'")
        XCTAssertEqual(clean.status, 200)
        XCTAssertEqual(clean.text, "weird page\n")

        let leak = try httpRequest(port: dyno.port, path: "/leak%22%7B;%7D$x.txt")
        XCTAssertEqual(leak.status, 404)
        XCTAssertEqual(leak.text, "lost\n", "the error page with nginx's special characters in its name")
        XCTAssertFalse(leak.text.contains("root:"))
        XCTAssertTrue(dyno.compileResult.stdout.contains(
            "\n       1 symlink in the site root points outside it or at a hidden file, and will answer 404: /leak\"{;}$x.txt\n"),
            dyno.compileResult.stdout)
    }
}
