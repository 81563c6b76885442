import SlugTestSupport
import XCTest

/// Classic Heroku buildpacks (bin/detect, bin/compile, bin/release) run unmodified, alone and
/// in a chain, with the app's hooks and Heroku's testpack API.
final class ClassicBuildpackTests: XCTestCase {
    var temporary: TemporaryDirectory!
    var buildpacks: URL { packageRoot.appendingPathComponent("Fixtures/buildpacks-classic") }

    override func setUpWithError() throws { temporary = try TemporaryDirectory() }
    override func tearDown() { temporary.remove() }

    func testTwoClassicBuildpacksChainWithExportCacheEnvDirAndRelease() throws {
        let app = try fixture("classic-app", in: temporary)
        let before = try treeSnapshot(app)
        let cache = temporary.appending("cache")
        let slug = temporary.appending("slug.tgz")
        let args = ["build", app.path, "-o", slug.path,
                    "--buildpack", buildpacks.appendingPathComponent("hello").path,
                    "--buildpack", buildpacks.appendingPathComponent("second").path,
                    "--cache-dir", cache.path, "--env", "GREETING=line one\nline two", "--json"]
        let first = try slugc(args)
        XCTAssertEqual(first.exitCode, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("-----> Hello app detected"), first.stderr)
        XCTAssertTrue(first.stderr.contains("-----> Second app detected"), first.stderr)
        XCTAssertTrue(first.stderr.contains("       build number 1 from the cache"), first.stderr)
        XCTAssertTrue(first.stderr.contains("       stack is heroku-24"), first.stderr)
        // A raw line from the buildpack is indented under its step, as Heroku shows it.
        XCTAssertTrue(first.stderr.contains("\n       stderr line from compile\n"), first.stderr)

        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        // The Procfile's web wins over bin/release's; bin/release adds worker.
        XCTAssertEqual(release["process_types"] as? [String: String],
                       ["web": "say-hello --from-procfile", "worker": "say-hello --worker"])
        XCTAssertEqual(release["config_vars"] as? [String: String], ["HELLO_MODE": "friendly"])
        XCTAssertEqual(release["buildpacks"] as? [String], ["hello", "second"])
        XCTAssertEqual(release["stack"] as? [String: String], ["name": "heroku-24"])
        XCTAssertTrue((release["checksum"] as? String)?.hasPrefix("SHA256:") ?? false)

        let extracted = try extractWithSystemTar(slug, in: temporary)
        XCTAssertEqual(readText(extracted.appendingPathComponent("greeting.txt")), "line one\nline two")
        XCTAssertEqual(readText(extracted.appendingPathComponent("environment.txt")), "GREETING in environment: unset\n")
        XCTAssertEqual(readText(extracted.appendingPathComponent("second.txt")), "HELLO_FROM_FIRST=yes\nsaw the first buildpack's output\n")
        XCTAssertEqual(readText(extracted.appendingPathComponent("pre_compile.txt")), "pre_compile ran\n")
        XCTAssertEqual(readText(extracted.appendingPathComponent("post_compile.txt")), "post_compile ran, greeting: line one\nline two\n")
        // The installed buildpack folder is untouched (export was written to a private copy).
        XCTAssertFalse(FileManager.default.fileExists(atPath: buildpacks.appendingPathComponent("hello/export").path))
        XCTAssertEqual(try treeSnapshot(app), before, "the source tree changed")

        let second = try slugc(args)
        XCTAssertEqual(second.exitCode, 0, second.stderr)
        XCTAssertTrue(second.stderr.contains("       build number 2 from the cache"), second.stderr)
    }

    func testSourceVersionIsTheCheckoutsCommit() throws {
        let app = try fixture("classic-app", in: temporary)
        let hello = buildpacks.appendingPathComponent("hello").path
        let before = try slugc(["build", app.path, "-o", temporary.appending("a.tgz").path, "--buildpack", hello])
        XCTAssertTrue(before.stdout.contains("       source version none\n"), before.stdout)
        let git = ["-C", app.path, "-c", "user.name=slugc", "-c", "user.email=slugc@example.invalid"]
        XCTAssertEqual(try runCommand("/usr/bin/git", ["init", "-q", app.path]).exitCode, 0)
        XCTAssertEqual(try runCommand("/usr/bin/git", git + ["add", "-A"]).exitCode, 0)
        XCTAssertEqual(try runCommand("/usr/bin/git", git + ["commit", "-qm", "app"]).exitCode, 0)
        let commit = try runCommand("/usr/bin/git", ["-C", app.path, "rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let after = try slugc(["build", app.path, "-o", temporary.appending("b.tgz").path, "--buildpack", hello])
        XCTAssertEqual(after.exitCode, 0, after.stderr)
        XCTAssertTrue(after.stdout.contains("       source version \(commit)\n"), after.stdout)
    }

    func testRunBootsTheProcessTypeWithProfileDAndPort() throws {
        let app = try fixture("classic-app", in: temporary)
        let slug = temporary.appending("slug.tgz")
        let built = try slugc(["build", app.path, "-o", slug.path, "--buildpack", buildpacks.appendingPathComponent("hello").path])
        XCTAssertEqual(built.exitCode, 0, built.stderr)
        let run = try slugc(["run", slug.path, "worker", "--port", "6123"])
        XCTAssertEqual(run.exitCode, 0, run.stderr)
        XCTAssertEqual(run.stdout, "hello from the slug, PORT=6123\n")
        XCTAssertEqual(run.stderr, "-----> Running say-hello --worker (PORT=6123)\n")

        let quoting = try slugc(["run", slug.path, "--", "bash", "-c", "echo \"$1 and $2\"; exit 7", "x", "it's", "a b"])
        XCTAssertEqual(quoting.exitCode, 7)
        XCTAssertEqual(quoting.stdout, "it's and a b\n")

        let unknown = try slugc(["run", slug.path, "clock"])
        XCTAssertEqual(unknown.exitCode, 64)
        XCTAssertEqual(unknown.stderr, " !     \(slug.path) has no process type \"clock\": it declares web, worker. Or run a command: slugc run \(slug.path) -- CMD…\n")
    }

    func testSetBuildpackThatSaysNoStopsWithItsReason() throws {
        let app = try fixture("classic-app", in: temporary)
        let slug = temporary.appending("slug.tgz")
        let nope = buildpacks.appendingPathComponent("nope").path
        let result = try slugc(["build", app.path, "-o", slug.path, "--buildpack", nope])
        XCTAssertEqual(result.exitCode, 20, result.stderr)
        XCTAssertTrue(result.stderr.contains("App not compatible with buildpack: \(nope)") || result.stderr.contains("App not compatible with buildpack: nope"), result.stderr)
        XCTAssertTrue(result.stderr.contains("this app has no nope.cfg"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
    }

    func testBuildpackGivenAsATgzArchive() throws {
        let app = try fixture("classic-app", in: temporary)
        let archive = temporary.appending("hello-buildpack.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["-czf", archive.path, "-C", buildpacks.path, "hello"]).exitCode, 0)
        let slug = temporary.appending("slug.tgz")
        let result = try slugc(["build", app.path, "-o", slug.path, "--buildpack", archive.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("-----> Saying hello"), result.stdout)
        XCTAssertTrue(try tarListing(slug).contains("./app/.hello/bin/say-hello"))
    }

    func testArchiveWithEntriesOutsideItsFolderIsRefused() throws {
        let app = try fixture("classic-app", in: temporary)
        let archive = temporary.appending("evil.tgz")
        let script = """
            import io, sys, tarfile
            with tarfile.open(sys.argv[1], "w:gz") as t:
                for name in ["bp/bin/detect", "../escaped.txt", "/tmp/absolute-escape.txt"]:
                    data = b"#!/bin/sh\\necho yes\\n"
                    info = tarfile.TarInfo(name); info.size = len(data); info.mode = 0o755
                    t.addfile(info, io.BytesIO(data))
            """
        XCTAssertEqual(try runCommand("/usr/bin/python3", ["-c", script, archive.path]).exitCode, 0)
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", archive.path],
                               environment: ["TMPDIR": temporary.url.path])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertTrue(result.stderr.contains("refusing entry '../escaped.txt': it would be written outside the folder it is extracted to."), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("escaped.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/absolute-escape.txt"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary.appending("slug.tgz").path))
    }

    func testCrashingDetectScriptExits21() throws {
        let app = try fixture("classic-app", in: temporary)
        let slug = temporary.appending("slug.tgz")
        let result = try slugc(["build", app.path, "-o", slug.path, "--buildpack", buildpacks.appendingPathComponent("crashy").path])
        XCTAssertEqual(result.exitCode, 21, result.stderr)
        XCTAssertTrue(result.stderr.contains("detect blew up: cannot read config"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
    }

    func testTestpackRunsTestCompileThenTestAndExitsWithItsStatus() throws {
        let app = try fixture("classic-app", in: temporary)
        try "".write(to: app.appendingPathComponent("run-tests.sh.keep"), atomically: false, encoding: .utf8)
        let testpack = buildpacks.appendingPathComponent("testpack").path
        let passing = try slugc(["test", app.path, "--buildpack", testpack])
        XCTAssertEqual(passing.exitCode, 0, passing.stderr)
        XCTAssertTrue(passing.stdout.contains("-----> Preparing tests"), passing.stdout)
        XCTAssertTrue(passing.stdout.contains("all fixture tests ok"), passing.stdout)
        XCTAssertFalse(passing.stdout.contains("Normal compile"), "bin/compile ran instead of bin/test-compile")

        let failing = try slugc(["test", app.path, "--buildpack", testpack, "--env", "FAIL_TESTS=1"])
        XCTAssertEqual(failing.exitCode, 1)
        XCTAssertTrue(failing.stdout.contains("fixture test failed on purpose"), failing.stdout)
        XCTAssertTrue(failing.stderr.contains(" !     Tests failed: bin/test exited with status 1"), failing.stderr)

        let unsupported = try slugc(["test", app.path, "--buildpack", buildpacks.appendingPathComponent("hello").path])
        XCTAssertEqual(unsupported.exitCode, 30)
        XCTAssertEqual(unsupported.stderr.components(separatedBy: "\n").last(where: { !$0.isEmpty }),
                       " !     Buildpack hello does not support testing: it has no bin/test-compile. Use a buildpack that implements Heroku's testpack API (bin/test-compile and bin/test).")
    }

    func testCompileFailureExits30AndLeavesNothing() throws {
        let app = try fixture("classic-app", in: temporary)
        try "#!/usr/bin/env bash\necho 'compile output before failing'\nexit 4\n".write(
            to: app.appendingPathComponent("bin/pre_compile"), atomically: false, encoding: .utf8)
        let slug = temporary.appending("slug.tgz")
        try "previous slug".write(to: slug, atomically: false, encoding: .utf8)
        let tmp = temporary.appending("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let result = try slugc(["build", app.path, "-o", slug.path, "--buildpack", buildpacks.appendingPathComponent("hello").path],
                               environment: ["TMPDIR": tmp.path])
        XCTAssertEqual(result.exitCode, 30, result.stderr)
        XCTAssertTrue(result.stdout.contains("compile output before failing"), result.stdout)
        XCTAssertTrue(result.stderr.contains(" !     The app's bin/pre_compile hook exited with status 4. The lines above show what it printed; fix the hook, or remove it if the build does not need it."), result.stderr)
        XCTAssertEqual(readText(slug), "previous slug", "a failed build replaced the existing slug")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), [], "the build left temporary files")
    }

    func testHookWithoutExecutableBitSaysChmod() throws {
        let app = try fixture("classic-app", in: temporary)
        _ = chmod(app.appendingPathComponent("bin/pre_compile").path, 0o644)
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", buildpacks.appendingPathComponent("hello").path])
        XCTAssertEqual(result.exitCode, 30, result.stderr)
        XCTAssertEqual(result.stderr, " !     The app's bin/pre_compile hook is not executable. Run chmod +x bin/pre_compile and commit it.\n")
    }

    func testBuildpackScriptWithAMissingInterpreterSaysFixTheShebang() throws {
        let app = try fixture("classic-app", in: temporary)
        let broken = temporary.appending("broken")
        XCTAssertEqual(try runCommand("/bin/cp", ["-a", buildpacks.appendingPathComponent("hello").path, broken.path]).exitCode, 0)
        try "#!/no/such/interpreter\n".write(to: broken.appendingPathComponent("bin/compile"), atomically: false, encoding: .utf8)
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", broken.path])
        XCTAssertEqual(result.exitCode, 30, result.stderr)
        XCTAssertEqual(result.stderr, " !     bin/compile of buildpack broken could not be started: its #! line names /no/such/interpreter, which this stack does not have: install it, or change the #! line.\n")
    }

    func testTimeoutExits31() throws {
        let app = try fixture("classic-app", in: temporary)
        try "#!/usr/bin/env bash\nsleep 30 &\nsleep 30\n".write(to: app.appendingPathComponent("bin/pre_compile"), atomically: false, encoding: .utf8)
        let slug = temporary.appending("slug.tgz")
        let started = Date()
        let result = try slugc(["build", app.path, "-o", slug.path, "--timeout", "1", "--buildpack", buildpacks.appendingPathComponent("hello").path])
        XCTAssertEqual(result.exitCode, 31, result.stderr)
        XCTAssertTrue(result.stderr.contains(" !     The app's bin/pre_compile hook timed out: it was still running after 1s and was stopped."), result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        let stray = try runCommand("/usr/bin/pgrep", ["-f", "^sleep 30$"])
        XCTAssertNotEqual(stray.exitCode, 0, "a sleep from the timed-out hook is still running: \(stray.stdout)")
    }
}
