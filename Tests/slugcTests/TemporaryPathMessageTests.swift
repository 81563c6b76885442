import Foundation
import SlugTestSupport
import XCTest

/// A buildpack's scripts run from slugc's temporary build folder (an archive unpacked there, a
/// private copy of a folder), which is gone when the user reads the message: every message
/// names the buildpack as the user gave it.
final class TemporaryPathMessageTests: XCTestCase {
    var temporary: TemporaryDirectory!
    /// TMPDIR of every run: a message naming anything under it names a folder that is gone.
    var scratch: URL { temporary.appending("tmp") }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-temp-paths")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() { temporary.remove() }

    private func run(_ arguments: [String]) throws -> CommandResult {
        try slugc(arguments, environment: ["TMPDIR": scratch.path])
    }

    /// An archive `NAME.tgz` of a classic buildpack whose scripts are `scripts` (others echo).
    private func archivedBuildpack(_ name: String, _ scripts: [String: String]) throws -> URL {
        let folder = temporary.appending(name)
        let all = ["bin/detect": "#!/bin/sh\necho Mine\n", "bin/compile": "#!/bin/sh\necho compiled\n"].merging(scripts) { _, given in given }
        for (path, text) in all {
            let file = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
            _ = chmod(file.path, 0o755)
        }
        let archive = temporary.appending("\(name).tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", archive.path, "-C", folder.path, "."]).exitCode, 0)
        return archive
    }

    private func app() throws -> URL {
        let folder = temporary.appending("app")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("<h1>hi</h1>\n".utf8).write(to: folder.appendingPathComponent("index.html"))
        return folder
    }

    private func detectFailure(_ archive: URL, stderr lines: [String]) -> String {
        ([" !     The detect script of buildpack '\(archive.path)' failed: \(archive.path)/bin/detect could not be started. A detect script exits 0 for \"yes\" and 1 for \"no\"; anything else is an error.",
          " !     Last lines of its stderr:"] + lines.map { " !       " + $0 } +
         [" !     Fix the script (run '\(archive.path)/bin/detect <app folder>' to try it), or set another buildpack with --buildpack.", ""])
            .joined(separator: "\n")
    }

    func testADetectScriptWithAMissingInterpreterIsNamedUnderTheArchive() throws {
        let archive = try archivedBuildpack("nointerp", ["bin/detect": "#!/no/such/interpreter\n"])
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertEqual(result.stderr, detectFailure(archive, stderr: [
            "could not start \(archive.path)/bin/detect: its #! line names /no/such/interpreter, which this stack does not have: install it, or change the #! line",
        ]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testADetectScriptWithACarriageReturnInItsShebangIsDiagnosedUnderTheArchive() throws {
        let archive = try archivedBuildpack("crlf", ["bin/detect": "#!/bin/sh\r\necho Mine\r\n"])
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertEqual(result.stderr, detectFailure(archive, stderr: [
            "could not start \(archive.path)/bin/detect: its #! line (#!/bin/sh) ends in a carriage return (CRLF line endings): convert with dos2unix",
        ]))
    }

    func testAShellErrorInAnArchivedDetectScriptNamesTheArchive() throws {
        let archive = try archivedBuildpack("typo", ["bin/detect": "#!/bin/bash\nno-such-command-here\nexit 2\n"])
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertEqual(result.stderr, """
             !     The detect script of buildpack '\(archive.path)' failed: \(archive.path)/bin/detect exited with status 2. A detect script exits 0 for "yes" and 1 for "no"; anything else is an error.
             !     Last lines of its stderr:
             !       \(archive.path)/bin/detect: line 2: no-such-command-here: command not found
             !     Fix the script (run '\(archive.path)/bin/detect <app folder>' to try it), or set another buildpack with --buildpack.

            """)
    }

    func testACompileScriptThatCannotStartNamesTheBuildpackNotTheBuildFolder() throws {
        // bin/compile runs from a private copy under TMPDIR; the message names the buildpack.
        let archive = try archivedBuildpack("nocompile", ["bin/compile": "#!/no/such/interpreter\n"])
        let result = try run(["build", try app().path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path])
        XCTAssertEqual(result.exitCode, 30, result.stderr)
        XCTAssertFalse(result.stderr.contains(scratch.path), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix(" !     bin/compile of buildpack nocompile could not be started: its #! line names /no/such/interpreter, which this stack does not have: install it, or change the #! line.\n"), result.stderr)
    }
}
