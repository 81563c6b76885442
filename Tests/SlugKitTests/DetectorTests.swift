import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

final class DetectorTests: XCTestCase {
    var temporary: TemporaryDirectory!
    let detector = Detector(environment: detectTestEnvironment, timeout: .seconds(20))

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "detector")
    }

    override func tearDown() {
        temporary.remove()
    }

    private func sample() throws -> [Buildpack] {
        try BuildpackCatalog.load(from: fixtureURL("buildpacks-sample"))
    }

    private func classic(_ name: String) throws -> Buildpack {
        try BuildpackCatalog.loadFolder(fixtureURL("buildpacks-classic/\(name)"))
    }

    /// Error text with the machine-specific folders replaced, so it can be compared exactly.
    private func text(_ error: DetectError?) -> String? {
        error.map {
            "\($0)".replacingOccurrences(of: fixtureURL("buildpacks-classic").path, with: "$CLASSIC")
                .replacingOccurrences(of: temporary.url.path, with: "$TMP")
        }
    }

    func testFirstMatchIsSelectedAndOthersAreListed() async throws {
        let app = try fixture("detect-python-and-static", in: temporary)
        let report = try await detector.detect(appDirectory: app, sourceDirectory: app, buildpacks: try sample(), explicit: false)
        XCTAssertEqual(report.selected, "python")
        XCTAssertEqual(report.alsoMatched.map(\.id), ["static"])
        XCTAssertEqual(report.results.map(\.matched), [true, false, true])
        XCTAssertEqual(report.hints, [])
        XCTAssertEqual(report.explanationLines(), [
            "-----> Python (python): match, selected",
            "       pass  any: 1 of 3 matched",
            "       pass    requirements.txt: found",
            "       fail    setup.py: not found",
            "       fail    glob *.py: no match",
            "-----> Swift (swift): no match",
            "       fail  Package.swift: not found",
            "-----> Static (static): match",
            "       pass  any: 1 of 3 matched",
            "       pass    index.html: found",
            "       fail    public/: not found",
            "       fail    all: 1 of 2 did not match",
            "       fail      Staticfile: not found",
            "       pass      not: the rule inside did not match",
            "       fail        Dockerfile: not found",
            "-----> Python app detected",
            "       Also matched: Static (static). The first match in order wins; choose another with --buildpack.",
        ])
    }

    func testNothingMatchedListsWhatEachLookedForAndHints() async throws {
        let app = try fixture("detect-python-typo", in: temporary)
        let error = await expectDetectError { _ = try await self.detector.detect(appDirectory: app, sourceDirectory: app, buildpacks: try self.sample(), explicit: false) }
        XCTAssertEqual(text(error), """
            No Cedar-supported app detected: no buildpack matched this app.
            What each buildpack looked for:
              Python (python): requirements.txt, setup.py or glob *.py
              Swift (swift): Package.swift containing /swift-tools-version/
              Static (static): index.html, public/ or (Staticfile and no Dockerfile)
            Hints:
              Found 'requirments.txt': did you mean 'requirements.txt'? Rename it so the Python buildpack can detect the app.
            HINT: This occurs when slugc cannot detect the buildpack to use for this application automatically. Put the files a buildpack looks for at the app root, or set the buildpack with --buildpack.
            """)
        guard case .noBuildpackDetected(let report)? = error else { return XCTFail("expected noBuildpackDetected") }
        // explain returns the same report instead of throwing.
        let explained = try await detector.explain(appDirectory: app, sourceDirectory: app, buildpacks: try sample())
        XCTAssertEqual(explained, report)
        XCTAssertEqual(Array(explained.explanationLines().suffix(3)), [
            " !     No Cedar-supported app detected",
            "-----> Hints",
            "       Found 'requirments.txt': did you mean 'requirements.txt'? Rename it so the Python buildpack can detect the app.",
        ])
    }

    private func hints(app: URL, source: URL? = nil) async throws -> [String] {
        try await detector.explain(appDirectory: app, sourceDirectory: source ?? app, buildpacks: try sample()).hints
    }

    func testHintWrongCase() async throws {
        try writeFile("Requirements.txt", "flask", in: temporary.url)
        try writeFile("INDEX.HTML", "<p>", in: temporary.url)
        let found = try await hints(app: temporary.url)
        XCTAssertEqual(found, [
            "Found 'Requirements.txt': did you mean 'requirements.txt'? Names are case-sensitive: rename it so the Python buildpack can detect the app.",
            "Found 'INDEX.HTML': did you mean 'index.html'? Names are case-sensitive: rename it so the Static buildpack can detect the app.",
        ])
    }

    func testHintMarkerInSubfolder() async throws {
        let app = try fixture("detect-monorepo", in: temporary)
        try writeFile("node_modules/pkg/setup.py", in: app)
        try writeFile("a/b/c/d/setup.py", in: app)
        let found = try await hints(app: app)
        XCTAssertEqual(found, ["Found 'server/Package.swift': the Swift buildpack looks at the app root. Build that folder with --app-dir server."])
    }

    func testHintSlugIgnored() async throws {
        let source = temporary.appending("source"), app = temporary.appending("app")
        try writeFile(".slugignore", "# not needed at run time\n*.md\nrequirements.txt\n", in: source)
        try writeFile("requirements.txt", "flask", in: source)
        try writeFile("README.md", "hi", in: source)
        try makeFolder("", in: app)
        let found = try await hints(app: app, source: source)
        XCTAssertEqual(found, ["'requirements.txt' is listed in .slugignore (line 3), so it is removed before detection: remove that line so the Python buildpack can detect the app."])
    }

    func testHintGitIgnored() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/git") else { throw XCTSkip("git is not installed") }
        let source = temporary.appending("source"), app = temporary.appending("app")
        try writeFile(".gitignore", "*.log\nrequirements.txt\n", in: source)
        try writeFile("requirements.txt", "flask", in: source)
        try makeFolder("", in: app)
        let initialized = try runCommand("/usr/bin/git", ["init", "-q", source.path])
        XCTAssertEqual(initialized.exitCode, 0, initialized.stderr)
        let found = try await hints(app: app, source: source)
        XCTAssertEqual(found, ["'requirements.txt' is ignored by .gitignore (line 2): Heroku builds what you push, so commit it."])
        // With --app-dir the source is a subfolder of the checkout; its own .gitignore counts too.
        try writeFile("api/.gitignore", "# generated\nsetup.py\n", in: source)
        try writeFile("api/setup.py", "", in: source)
        let nested = try await hints(app: app, source: source.appendingPathComponent("api"))
        XCTAssertEqual(nested, ["'setup.py' is ignored by api/.gitignore (line 2): Heroku builds what you push, so commit it."])
    }

    func testClassicYesGivesFrameworkName() async throws {
        let app = try fixture("detect-ruby", in: temporary)
        let report = try await detector.detect(appDirectory: app, sourceDirectory: app, buildpacks: try sample() + [try classic("yes")], explicit: false)
        XCTAssertEqual(report.selected, "yes")
        XCTAssertEqual(report.selectedResult?.framework, "Ruby/Rack")
        XCTAssertEqual(report.selectedResult?.exitCode, 0)
        XCTAssertEqual(Array(report.explanationLines().suffix(4)), [
            "-----> yes: match, selected",
            "       bin/detect exited with status 0",
            "       framework: Ruby/Rack",
            "-----> Ruby/Rack app detected",
        ])
    }

    func testClassicNoWhenSetExplicitly() async throws {
        let app = try fixture("detect-ruby", in: temporary)
        let error = await expectDetectError { _ = try await self.detector.detect(appDirectory: app, sourceDirectory: app, buildpacks: [try self.classic("no")], explicit: true) }
        XCTAssertEqual(text(error), """
            App not compatible with buildpack: no
            bin/detect exited with status 1 and said:
              this buildpack needs a Gemfile
            Change the app so the buildpack matches, or leave out --buildpack no to let slugc detect one.
            """)
    }

    func testExplicitDeclarativeNotCompatibleSaysWhy() async throws {
        let app = try fixture("detect-python-typo", in: temporary)
        var python = try BuildpackCatalog.resolve("python", builtIn: fixtureURL("buildpacks-sample"), scratch: temporary.url)
        python.reference = "python"
        let error = await expectDetectError { _ = try await self.detector.detect(appDirectory: app, sourceDirectory: app, buildpacks: [python], explicit: true) }
        XCTAssertEqual(text(error), """
            App not compatible with buildpack: python
            It looks for requirements.txt, setup.py or glob *.py, and nothing matched:
              requirements.txt: not found
              setup.py: not found
              glob *.py: no match
            Hints:
              Found 'requirments.txt': did you mean 'requirements.txt'? Rename it so the Python buildpack can detect the app.
            Change the app so the buildpack matches, or leave out --buildpack python to let slugc detect one.
            """)
    }

    func testExplicitAllMustMatchAndFirstIsSelected() async throws {
        let app = try fixture("detect-python-and-static", in: temporary)
        let buildpacks = try sample()
        let report = try await detector.detect(appDirectory: app, sourceDirectory: nil, buildpacks: [buildpacks[2], buildpacks[0]], explicit: true)
        XCTAssertEqual(report.selected, "static")
        XCTAssertEqual(report.results.map(\.id), ["static", "python"])
        let error = await expectDetectError { _ = try await self.detector.detect(appDirectory: app, sourceDirectory: nil, buildpacks: [buildpacks[0], buildpacks[1]], explicit: true) }
        guard case .notCompatible(let buildpack, let failed)? = error else { return XCTFail("expected notCompatible") }
        XCTAssertEqual(buildpack, "swift")
        XCTAssertNil(failed.selected)
    }

    func testCrashingDetectScript() async throws {
        let app = try fixture("detect-ruby", in: temporary)
        let error = await expectDetectError { _ = try await self.detector.detect(appDirectory: app, sourceDirectory: app, buildpacks: [try self.classic("crash")], explicit: false) }
        XCTAssertEqual(text(error), """
            The detect script of buildpack 'crash' failed: $CLASSIC/crash/bin/detect exited with status 3. A detect script exits 0 for "yes" and 1 for "no"; anything else is an error.
            Last lines of its stderr:
              detect: something broke
              line two
            Fix the script (run '$CLASSIC/crash/bin/detect <app folder>' to try it), or set another buildpack with --buildpack.
            """)
        // explain records the failure and carries on to the next buildpack.
        let report = try await detector.explain(appDirectory: app, sourceDirectory: app, buildpacks: [try classic("crash"), try classic("yes")])
        XCTAssertEqual(report.selected, "yes")
        XCTAssertEqual(report.results[0].failure, "exited with status 3")
        XCTAssertEqual(report.results[0].exitCode, 3)
        XCTAssertEqual(report.results[0].stderr, ["detect: something broke", "line two"])
        XCTAssertEqual(Array(report.explanationLines().prefix(4)).map { $0.replacingOccurrences(of: fixtureURL("buildpacks-classic").path, with: "$CLASSIC") }, [
            "-----> crash: error",
            " !     $CLASSIC/crash/bin/detect exited with status 3",
            " !     detect: something broke",
            " !     line two",
        ])
    }

    func testKilledDetectScript() async throws {
        let app = try fixture("detect-ruby", in: temporary)
        let error = await expectDetectError { _ = try await self.detector.detect(appDirectory: app, sourceDirectory: app, buildpacks: [try self.classic("killed")], explicit: false) }
        guard case .detectScriptFailed(let buildpack, _, let outcome)? = error else { return XCTFail("expected detectScriptFailed") }
        XCTAssertEqual(buildpack, "killed")
        XCTAssertEqual(outcome.signal, 9)
        XCTAssertEqual(text(error)?.components(separatedBy: "\n").first,
                       "The detect script of buildpack 'killed' failed: $CLASSIC/killed/bin/detect was killed by signal 9. A detect script exits 0 for \"yes\" and 1 for \"no\"; anything else is an error.")
    }

    func testSlowDetectScriptTimesOut() async throws {
        let app = try fixture("detect-ruby", in: temporary)
        let quick = Detector(environment: detectTestEnvironment, timeout: .seconds(1))
        let started = Date()
        let report = try await quick.explain(appDirectory: app, sourceDirectory: nil, buildpacks: [try classic("slow")])
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(report.results[0].failure, "timed out after 1 second")
        XCTAssertNil(report.selected)
    }
}
