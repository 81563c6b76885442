import SlugTestSupport
import XCTest

/// What scripts print reaches the user whole, and a script that cannot start says why.
final class ScriptOutputTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory() }
    override func tearDown() { temporary.remove() }

    /// A line of `count` copies of `character`, printed by the shell without a trailing newline.
    private func longLine(_ character: Character, _ count: Int) -> String {
        "head -c \(count) /dev/zero | tr '\\0' '\(character)'"
    }

    private func count(of character: Character, in text: String) -> Int {
        text.reduce(0) { $1 == character ? $0 + 1 : $0 }
    }

    func testLinesLongerThan128KiBFromCompileHookAndReleasePassThrough() throws {
        let app = try procfileApp(in: temporary)
        let hook = app.appendingPathComponent("bin/pre_compile")
        try FileManager.default.createDirectory(at: hook.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("#!/bin/sh\n\(longLine("h", 200_000)); echo; echo hook done\n".utf8).write(to: hook)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        let command = String(repeating: "w", count: 150_000)
        let buildpack = try scriptBuildpack("long", in: temporary,
                                            compile: "#!/bin/sh\n\(longLine("x", 300_000)); echo; echo compile done >&2\n",
                                            release: "#!/bin/sh\necho '---'\necho 'default_process_types:'\necho '  worker: \(command)'\n")
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", buildpack.path, "--json"])
        XCTAssertEqual(result.exitCode, 0, String(result.stderr.suffix(2000)))
        // Every character arrives, in pieces of at most 64 KiB (each a log line of its own).
        XCTAssertEqual(count(of: "x", in: result.stderr), 300_000)
        XCTAssertEqual(count(of: "h", in: result.stderr.replacingOccurrences(of: "hook", with: "")), 200_000)
        XCTAssertTrue(result.stderr.contains("\n       compile done\n"), String(result.stderr.suffix(500)))
        XCTAssertTrue(result.stderr.contains("\n       hook done\n"), String(result.stderr.suffix(500)))
        let longest = result.stderr.split(separator: "\n").map(\.utf8.count).max() ?? 0
        XCTAssertEqual(longest, "       ".count + 64 * 1024)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual((release["process_types"] as? [String: String])?["worker"], command)
    }

    func testALongLineFromAnAppUnderRunPassesThrough() throws {
        let app = try procfileApp(in: temporary)
        let slug = temporary.appending("slug.tgz")
        XCTAssertEqual(try slugc(["pack", app.path, "-o", slug.path]).exitCode, 0)
        let result = try slugc(["run", slug.path, "--", "bash", "-c", "\(longLine("z", 250_000)); echo; echo end"],
                               environment: ["TMPDIR": temporary.url.path])
        XCTAssertEqual(result.exitCode, 0, String(result.stderr.suffix(1000)))
        XCTAssertEqual(count(of: "z", in: result.stdout), 250_000)
        XCTAssertTrue(result.stdout.hasSuffix("\nend\n"), String(result.stdout.suffix(100)))
    }

    /// Builds with a buildpack whose bin/compile is `compile`, and returns the error lines.
    private func compileFailure(_ compile: String) throws -> (Int32, [String]) {
        let app = try procfileApp(in: temporary)
        let buildpack = try scriptBuildpack("bp", in: temporary, compile: compile)
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", buildpack.path])
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("slug.tgz").path))
        return (result.exitCode, result.stderr.split(separator: "\n").map(String.init).filter { $0.hasPrefix(" !") })
    }

    func testAMissingInterpreterIsNamed() throws {
        let (code, errors) = try compileFailure("#!/usr/bin/python2.2\nprint 'hi'\n")
        XCTAssertEqual(code, 30)
        XCTAssertEqual(errors, [" !     bin/compile of buildpack bp could not be started: its #! line names /usr/bin/python2.2, which this stack does not have: install it, or change the #! line."])
    }

    func testAShebangEndingInCarriageReturnIsDiagnosed() throws {
        let (code, errors) = try compileFailure("#!/bin/sh\r\necho hi\r\n")
        XCTAssertEqual(code, 30)
        XCTAssertEqual(errors, [" !     bin/compile of buildpack bp could not be started: its #! line (#!/bin/sh) ends in a carriage return (CRLF line endings): convert with dos2unix."])
    }

    func testAnEnvShebangEndingInCarriageReturnIsDiagnosed() throws {
        // env starts, finds no "sh\r" and exits 127: the script did start, but the cause is the same.
        let (code, errors) = try compileFailure("#!/usr/bin/env sh\r\necho hi\r\n")
        XCTAssertEqual(code, 30)
        XCTAssertEqual(errors, [" !     bin/compile of buildpack bp could not be started: its #! line (#!/usr/bin/env sh) ends in a carriage return (CRLF line endings): convert with dos2unix."])
    }

    func testAScriptWithoutAShebangIsNotAProgram() throws {
        let (code, errors) = try compileFailure("echo hi\n")
        XCTAssertEqual(code, 30)
        XCTAssertEqual(errors, [" !     bin/compile of buildpack bp could not be started: it is neither a program nor a script that starts with a #! line: add one, e.g. #!/usr/bin/env bash."])
    }

    func testAReleaseScriptEndingInCarriageReturnIsDiagnosed() throws {
        let app = try procfileApp(in: temporary)
        let buildpack = try scriptBuildpack("bp", in: temporary, compile: "#!/bin/sh\n", release: "#!/bin/sh\r\necho '---'\r\n")
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", buildpack.path])
        XCTAssertEqual(result.exitCode, 40, result.stderr)
        let errors = result.stderr.split(separator: "\n").filter { $0.hasPrefix(" !") }
        XCTAssertEqual(errors, [" !     bin/release of buildpack bp could not be started: its #! line (#!/bin/sh) ends in a carriage return (CRLF line endings): convert with dos2unix. Run it by hand (bin/release BUILD_DIR) to see why."])
    }
}
