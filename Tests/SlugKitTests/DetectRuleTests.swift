import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

final class DetectRuleTests: XCTestCase {
    var temporary: TemporaryDirectory!
    var app: URL { temporary.url }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "detect-rules")
    }

    override func tearDown() {
        temporary.remove()
    }

    private func evaluate(_ rule: DetectionRule) -> RuleResult {
        RuleEvaluator(root: app).evaluate(rule)
    }

    func testFileRule() throws {
        XCTAssertEqual(evaluate(.file("requirements.txt")),
                       RuleResult(rule: "file requirements.txt", passed: false, reason: "requirements.txt: not found"))
        try writeFile("requirements.txt", "flask\n", in: app)
        XCTAssertEqual(evaluate(.file("requirements.txt")),
                       RuleResult(rule: "file requirements.txt", passed: true, reason: "requirements.txt: found"))
        try makeFolder("Procfile", in: app)
        XCTAssertEqual(evaluate(.file("Procfile")),
                       RuleResult(rule: "file Procfile", passed: false, reason: "Procfile is a folder, not a file"))
    }

    func testFileRuleSymlinks() throws {
        try writeFile("real.txt", "x", in: app)
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("inside.txt").path, withDestinationPath: "real.txt")
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("outside.txt").path, withDestinationPath: "/etc/hostname")
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("dangling.txt").path, withDestinationPath: "nowhere")
        XCTAssertEqual(evaluate(.file("inside.txt")).reason, "inside.txt: found")
        XCTAssertEqual(evaluate(.file("outside.txt")).reason, "outside.txt is a symlink that points outside the app")
        XCTAssertFalse(evaluate(.file("outside.txt")).passed)
        XCTAssertEqual(evaluate(.file("dangling.txt")).reason, "dangling.txt: not found")
    }

    func testDirectoryRule() throws {
        XCTAssertEqual(evaluate(.directory("public")),
                       RuleResult(rule: "dir public", passed: false, reason: "public/: not found"))
        try makeFolder("public", in: app)
        XCTAssertEqual(evaluate(.directory("public")),
                       RuleResult(rule: "dir public", passed: true, reason: "public/: found"))
        try writeFile("dist", "x", in: app)
        XCTAssertEqual(evaluate(.directory("dist")),
                       RuleResult(rule: "dir dist", passed: false, reason: "dist is a file, not a folder"))
    }

    func testGlobWithinSegment() throws {
        try writeFile("notes.txt", in: app)
        XCTAssertEqual(evaluate(.glob("*.py")), RuleResult(rule: "glob *.py", passed: false, reason: "glob *.py: no match"))
        try writeFile("b.py", in: app)
        try writeFile("a.py", in: app)
        XCTAssertEqual(evaluate(.glob("*.py")), RuleResult(rule: "glob *.py", passed: true, reason: "glob *.py: matched a.py"))
        XCTAssertEqual(evaluate(.glob("?.py")).reason, "glob ?.py: matched a.py")
        XCTAssertEqual(evaluate(.glob("[b-c].py")).reason, "glob [b-c].py: matched b.py")
        XCTAssertEqual(evaluate(.glob("[!a].py")).reason, "glob [!a].py: matched b.py")
        XCTAssertEqual(evaluate(.glob("??.py")).reason, "glob ??.py: no match")
    }

    func testGlobAcrossSegments() throws {
        try writeFile("src/app/deep/main.go", in: app)
        XCTAssertEqual(evaluate(.glob("*.go")).reason, "glob *.go: no match")
        XCTAssertEqual(evaluate(.glob("**/*.go")).reason, "glob **/*.go: matched src/app/deep/main.go")
        XCTAssertEqual(evaluate(.glob("src/**/main.go")).reason, "glob src/**/main.go: matched src/app/deep/main.go")
        XCTAssertEqual(evaluate(.glob("src/*/main.go")).reason, "glob src/*/main.go: no match")
        XCTAssertEqual(evaluate(.glob("src/*/deep")).reason, "glob src/*/deep: matched src/app/deep")
        try writeFile("top.go", in: app)
        // `**` matches zero segments too, and shallower matches come first.
        XCTAssertEqual(evaluate(.glob("**/*.go")).reason, "glob **/*.go: matched top.go")
        XCTAssertEqual(evaluate(.glob("**/top.go")).reason, "glob **/top.go: matched top.go")
    }

    func testGlobDoesNotFollowSymlinkedFolders() throws {
        let outside = try TemporaryDirectory(prefix: "detect-outside")
        defer { outside.remove() }
        try writeFile("secret.py", in: outside.url)
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent("linked").path, withDestinationPath: outside.url.path)
        XCTAssertEqual(evaluate(.glob("**/*.py")).reason, "glob **/*.py: no match")
        XCTAssertEqual(evaluate(.glob("linked/*.py")).reason, "glob linked/*.py: no match")
        // The link itself is an entry of the app, so it can match by name.
        XCTAssertEqual(evaluate(.glob("link*")).reason, "glob link*: matched linked")
    }

    func testGlobStopsAfterEntryLimit() throws {
        for index in 0..<30 { try writeFile(String(format: "f%02d.txt", index), in: app) }
        try writeFile("zz.py", in: app)
        let limited = RuleEvaluator(root: app, globEntryLimit: 10).evaluate(.glob("*.py"))
        XCTAssertEqual(limited, RuleResult(rule: "glob *.py", passed: false, reason: "glob *.py: no match in the first 10 entries"))
        XCTAssertEqual(evaluate(.glob("*.py")).reason, "glob *.py: matched zz.py")
    }

    func testContainsRule() throws {
        let rule = DetectionRule.contains(file: "Package.swift", pattern: "swift-tools-version:\\s*6")
        XCTAssertEqual(evaluate(rule), RuleResult(rule: "contains Package.swift /swift-tools-version:\\s*6/", passed: false,
                                                  reason: "Package.swift: not found"))
        try writeFile("Package.swift", "// comment\r\n// swift-tools-version: 5.9\n", in: app)
        XCTAssertEqual(evaluate(rule).reason, "Package.swift: no line matches /swift-tools-version:\\s*6/")
        try writeFile("Package.swift", "// comment\r\n// swift-tools-version: 6.0\n", in: app)
        XCTAssertEqual(evaluate(rule), RuleResult(rule: "contains Package.swift /swift-tools-version:\\s*6/", passed: true,
                                                  reason: "Package.swift: line 2 matches /swift-tools-version:\\s*6/"))
        // Anchors work per line.
        XCTAssertTrue(evaluate(.contains(file: "Package.swift", pattern: "^// comment$")).passed)
        try makeFolder("Gemfile", in: app)
        XCTAssertEqual(evaluate(.contains(file: "Gemfile", pattern: "rails")).reason, "Gemfile is a folder, not a file")
    }

    func testContainsReadsOnlyTheFirstBytes() throws {
        let filler = String(repeating: "x", count: 99) + "\n"
        try writeFile("big.txt", String(repeating: filler, count: 20) + "needle\n", in: app)
        let evaluator = RuleEvaluator(root: app, containsByteLimit: 1024)
        XCTAssertEqual(evaluator.evaluate(.contains(file: "big.txt", pattern: "needle")).reason,
                       "big.txt: no line in the first 1.0K matches /needle/")
        XCTAssertEqual(evaluate(.contains(file: "big.txt", pattern: "needle")).reason, "big.txt: line 21 matches /needle/")
    }

    func testComposites() throws {
        try writeFile("Staticfile", in: app)
        let rule = DetectionRule.any([.file("index.html"), .all([.file("Staticfile"), .not(.file("Dockerfile"))])])
        let result = evaluate(rule)
        XCTAssertEqual(result, RuleResult(rule: "any", passed: true, reason: "1 of 2 matched", children: [
            RuleResult(rule: "file index.html", passed: false, reason: "index.html: not found"),
            RuleResult(rule: "all", passed: true, reason: "all 2 matched", children: [
                RuleResult(rule: "file Staticfile", passed: true, reason: "Staticfile: found"),
                RuleResult(rule: "not", passed: true, reason: "the rule inside did not match", children: [
                    RuleResult(rule: "file Dockerfile", passed: false, reason: "Dockerfile: not found"),
                ]),
            ]),
        ]))
        try writeFile("Dockerfile", in: app)
        let blocked = evaluate(rule)
        XCTAssertFalse(blocked.passed)
        XCTAssertEqual(blocked.reason, "none of 2 matched")
        XCTAssertEqual(blocked.children[1].reason, "1 of 2 did not match")
        XCTAssertEqual(blocked.children[1].children[1].reason, "the rule inside matched")
    }

    func testSummaries() {
        let rule = DetectionRule.any([.file("requirements.txt"), .directory("public"), .glob("*.py"),
                                      .all([.file("a"), .not(.file("b"))]),
                                      .contains(file: "Package.swift", pattern: "swift-tools-version")])
        XCTAssertEqual(rule.summary, "requirements.txt, public/, glob *.py, (a and no b) or Package.swift containing /swift-tools-version/")
        XCTAssertEqual(rule.markers.map(\.path), ["requirements.txt", "public", "a", "Package.swift"])
    }
}
