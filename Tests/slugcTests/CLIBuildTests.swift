import Foundation
import SlugTestSupport
import XCTest

/// What a CI job sees from `build`, `pack`, `inspect` and `buildpacks`: exit codes, messages,
/// JSON on stdout, and nothing left behind on failure.
final class CLIBuildTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-cli") }
    override func tearDown() { temporary?.remove() }

    func testNothingDetectedExits20WithReasonsAndWritesNothing() throws {
        let app = try fixture("nothing-detected", in: temporary)
        let tmp = temporary.appending("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let slug = temporary.appending("slug.tgz")
        let result = try slugc(["build", app.path, "-o", slug.path], environment: ["TMPDIR": tmp.path])
        XCTAssertEqual(result.exitCode, 20, result.stderr)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(8)), [
            " !     No Cedar-supported app detected: no buildpack matched this app.",
            " !     What each buildpack looked for:",
            " !       Python (python): requirements.txt, setup.py, setup.cfg, pyproject.toml, Pipfile, Pipfile.lock, poetry.lock or 21 more (slugc detect --explain lists them)",
            " !       Swift (swift): Package.swift",
            " !       Static HTML (static): static.json, index.html or public/index.html",
            " !     Hints:",
            " !       Found 'index.htm': did you mean 'index.html'? Rename it so the Static HTML buildpack can detect the app.",
            " !       Found 'server/Package.swift': the Swift buildpack looks at the app root. Build that folder with --app-dir server.",
        ])
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), [])
    }

    func testJSONFailureIsOneDocumentOnStdout() throws {
        let app = try fixture("nothing-detected", in: temporary)
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--json"])
        XCTAssertEqual(result.exitCode, 20)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let error = try XCTUnwrap(document["error"] as? [String: Any])
        XCTAssertEqual(error["exit_code"] as? Int, 20)
        XCTAssertTrue((error["message"] as? String)?.hasPrefix("No Cedar-supported app detected") ?? false)
        let detection = try XCTUnwrap(document["detection"] as? [String: Any])
        XCTAssertEqual((detection["results"] as? [[String: Any]])?.count, 3)
        XCTAssertTrue(result.stderr.contains(" !     No Cedar-supported app detected"), result.stderr)
    }

    func testSlugignoreAndGitAreLeftOutAndTheSourceIsUntouched() throws {
        let app = try fixture("static-site", in: temporary)
        try "# build output\n/drafts/\n*.psd\n".write(to: app.appendingPathComponent(".slugignore"), atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(at: app.appendingPathComponent("drafts"), withIntermediateDirectories: true)
        try "draft".write(to: app.appendingPathComponent("drafts/post.html"), atomically: false, encoding: .utf8)
        try "layers".write(to: app.appendingPathComponent("images/big.psd"), atomically: false, encoding: .utf8)
        XCTAssertEqual(try runCommand("/usr/bin/git", ["init", "-q", app.path]).exitCode, 0)
        let before = try treeSnapshot(app)
        let slug = temporary.appending("slug.tgz")
        let result = try slugc(["build", app.path, "-o", slug.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("       Leaving out what .slugignore names (2 patterns)\n"), result.stdout)
        let listing = try tarListing(slug)
        XCTAssertTrue(listing.contains("./app/index.html"))
        XCTAssertFalse(listing.contains { $0.contains("drafts") || $0.hasSuffix(".psd") || $0.contains("/.git") }, listing.joined(separator: "\n"))
        XCTAssertEqual(try treeSnapshot(app), before, "the build changed the source tree")
    }

    func testSlugWrittenInsideTheSourceIsNotPackedIntoItself() throws {
        let app = try fixture("static-site", in: temporary)
        let slug = app.appendingPathComponent("slug.tgz")
        XCTAssertEqual(try slugc(["build", ".", "-o", "slug.tgz"], workingDirectory: app).exitCode, 0)
        XCTAssertEqual(try slugc(["build", ".", "-o", "slug.tgz"], workingDirectory: app).exitCode, 0)
        XCTAssertFalse(try tarListing(slug).contains { $0.contains("slug.tgz") })
    }

    func testACacheFolderInsideTheSourceIsNotBuiltIntoTheSlug() throws {
        let app = try fixture("static-site", in: temporary)
        let output = temporary.appending("slug.tgz")
        for _ in 0..<2 {
            let built = try slugc(["build", ".", "-o", output.path, "--cache-dir", ".cache"], workingDirectory: app)
            XCTAssertEqual(built.exitCode, 0, built.stderr)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: app.appendingPathComponent(".cache/.slugc-pack").path),
                      "the build kept no pack cache in .cache, so this test proves nothing")
        XCTAssertEqual(try tarListing(output).filter { $0.contains(".cache") }, [])
    }

    func testPackWarnsAboutProcfileLinesAndInspectReadsTheSlugAlone() throws {
        let directory = try fixture("procfile-messy", in: temporary)
        let slug = temporary.appending("packed.tgz")
        let packed = try slugc(["pack", directory.path, "-o", slug.path, "--json"])
        XCTAssertEqual(packed.exitCode, 0, packed.stderr)
        XCTAssertTrue(packed.stderr.contains(" !     Warning: Procfile:6: ignored line \"this line is not a process type\": a process type line looks like \"web: command\".\n"), packed.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(packed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((release["warnings"] as? [String])?.count, 3)
        XCTAssertNil(release["buildpack_provided_description"] as? String)

        let inspected = try slugc(["inspect", slug.path, "--json"])
        XCTAssertEqual(inspected.exitCode, 0, inspected.stderr)
        let metadata = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(inspected.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(metadata["checksum"] as? String, release["checksum"] as? String)
        XCTAssertEqual(metadata["size"] as? Int, release["size"] as? Int)
        XCTAssertEqual(metadata["process_types"] as? [String: String], [
            "web": "python3 -m http.server $PORT", "worker": "python3 worker.py && echo done", "release": "./bin/migrate \"quoted arg\"",
        ])
        let human = try slugc(["inspect", slug.path])
        XCTAssertTrue(human.stdout.contains("-----> Process types\n       release: ./bin/migrate \"quoted arg\"\n"), human.stdout)
    }

    func testInspectOfSomethingThatIsNotASlug() throws {
        let notASlug = temporary.appending("notes.tgz")
        try "just text".write(to: notASlug, atomically: false, encoding: .utf8)
        let result = try slugc(["inspect", notASlug.path])
        XCTAssertEqual(result.exitCode, 50)
        XCTAssertTrue(result.stderr.hasPrefix(" !     \(notASlug.path) is not a slug (a gzip-compressed tar)"), result.stderr)
    }

    func testMaxSizeFailsWith51AndNamesTheSize() throws {
        let app = try fixture("static-site", in: temporary)
        let slug = temporary.appending("slug.tgz")
        let result = try slugc(["build", app.path, "-o", slug.path, "--max-size", "1K"])
        XCTAssertEqual(result.exitCode, 51, result.stderr)
        XCTAssertTrue(result.stderr.contains(" !     Compiled slug size: "), result.stderr)
        XCTAssertTrue(result.stderr.contains("is too large (max is 1.0K)."), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
    }

    func testBuildpacksListsTheBuiltInsInOrder() throws {
        let result = try slugc(["buildpacks", "--json"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(list.compactMap { $0["id"] as? String }, ["python", "swift", "static"])
    }

    func testClosedStdoutDoesNotKillTheBuildHalfway() throws {
        let app = try fixture("static-site", in: temporary)
        let tmp = temporary.appending("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let slug = temporary.appending("slug.tgz")
        let result = try runCommand("/bin/bash", ["-c", "set -o pipefail; \"$0\" build \"$1\" -o \"$2\" | head -c 10 >/dev/null",
                                                  slugcExecutable.path, app.path, slug.path],
                                    environment: ["TMPDIR": tmp.path, "SLUGC_BUILDPACKS": builtInBuildpacks.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: slug.path), "the build did not finish once stdout was closed")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), [])
    }
}
