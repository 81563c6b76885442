import SlugTestSupport
import XCTest

/// Nothing slugc starts outlives it, and a signal stops it at any stage: SIGINT or SIGTERM
/// while packing publishes no slug and leaves no temporary file (exit 31, as in every stage);
/// a daemon a script leaves behind is killed when the script ends; `slugc run` kills an app
/// that ignores SIGTERM once the grace period is over.
final class ProcessLifetimeTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory() }
    override func tearDown() { temporary.remove() }

    /// An app of about 100 MB of base64 text: level 9 on one thread packs it in seconds, long
    /// enough for a signal to arrive halfway.
    private func largeApp() throws -> URL {
        let app = try procfileApp(in: temporary)
        for index in 0..<4 {
            let file = app.appendingPathComponent("data-\(index).txt")
            let made = try runCommand("/bin/bash", ["-c", "head -c 19000000 /dev/urandom | base64 > '\(file.path)'"])
            XCTAssertTrue(made.succeeded, made.stderr)
        }
        return app
    }

    /// Starts slugc with `arguments`, waits until it is writing the slug's temporary file in
    /// `outputFolder` (the pack stage), sends `signal`, and returns the stopped process's log.
    private func signalWhilePacking(_ arguments: [String], outputFolder: URL, signal: Int32) throws -> (RunningApp, String) {
        let process = try RunningApp(executable: slugcExecutable.path, arguments,
                                     environment: ["SLUGC_BUILDPACKS": builtInBuildpacks.path, "TMPDIR": temporary.url.path], port: 0)
        let packing = eventually(seconds: 120) {
            names(in: outputFolder).contains { $0.hasSuffix(".tmp") } || !process.process.isRunning
        }
        XCTAssertTrue(packing && process.process.isRunning, "slugc never reached the pack stage: \(process.output)")
        kill(process.process.processIdentifier, signal)
        let stopped = eventually(seconds: 10) { !process.process.isRunning }
        XCTAssertTrue(stopped, "slugc did not stop within 10 s of the signal")
        return (process, process.stop())
    }

    func testSIGINTWhilePackingAPackPublishesNothingAndExits31() throws {
        let app = try largeApp()
        let outputFolder = temporary.appending("out")
        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        let slug = outputFolder.appendingPathComponent("slug.tgz")
        let (process, log) = try signalWhilePacking(["pack", app.path, "-o", slug.path, "--level", "9", "--threads", "1"],
                                                    outputFolder: outputFolder, signal: SIGINT)
        XCTAssertEqual(process.process.terminationStatus, 31, log)
        XCTAssertTrue(log.hasSuffix(" !     Packing was cancelled, so no slug was written: \(slug.path) was left as it was.\n"), log)
        XCTAssertEqual(names(in: outputFolder), [], "a slug or temporary file was left")
    }

    func testSIGTERMWhileABuildPacksPublishesNothingKeepsTheOldSlugAndExits31() throws {
        let app = try largeApp()
        let outputFolder = temporary.appending("out")
        try FileManager.default.createDirectory(at: outputFolder, withIntermediateDirectories: true)
        let slug = outputFolder.appendingPathComponent("slug.tgz")
        try Data("the previous slug".utf8).write(to: slug)
        let buildpack = try scriptBuildpack("bp", in: temporary, compile: "#!/bin/sh\necho compiled\n")
        let (process, log) = try signalWhilePacking(["build", app.path, "-o", slug.path, "--buildpack", buildpack.path,
                                                     "--level", "9", "--threads", "1"],
                                                    outputFolder: outputFolder, signal: SIGTERM)
        XCTAssertEqual(process.process.terminationStatus, 31, log)
        XCTAssertTrue(log.hasSuffix(" !     The build was cancelled; nothing was written.\n"), log)
        XCTAssertEqual(names(in: outputFolder), ["slug.tgz"], "a temporary file was left")
        XCTAssertEqual(try String(contentsOf: slug, encoding: .utf8), "the previous slug")
        XCTAssertEqual(names(in: temporary.url).filter { $0.hasPrefix("slugc-build-") }, [], "the build folder was left")
    }

    /// The processes whose command line contains `marker`.
    private func processes(matching marker: String) -> [String] {
        let result = try? runCommand("/usr/bin/pgrep", ["-af", marker])
        return (result?.stdout ?? "").split(separator: "\n").map(String.init)
    }

    func testADaemonThatLeftTheProcessGroupDoesNotOutliveTheBuild() throws {
        let app = try procfileApp(in: temporary)
        // A fractional sleep nobody else runs, daemonised out of the script's group and session.
        let marker = "31\(Int.random(in: 100_000...999_999)).5"
        // The script waits until the daemon has its own session (it writes its pid after
        // setsid), so the group kill at the script's end cannot catch it by luck.
        let pidFile = temporary.appending("daemon.pid").path
        let compile = """
            #!/bin/bash
            setsid bash -c 'echo $$ > "$0"; exec sleep \(marker)' '\(pidFile)' < /dev/null > /dev/null 2>&1 &
            while [ ! -s '\(pidFile)' ]; do sleep 0.05; done
            echo started the daemon

            """
        let buildpack = try scriptBuildpack("daemon", in: temporary, compile: compile)
        defer { _ = try? runCommand("/usr/bin/pkill", ["-f", "sleep \(marker)"]) }
        let result = try slugc(["build", app.path, "-o", temporary.appending("slug.tgz").path, "--buildpack", buildpack.path])
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.stdout.contains("       started the daemon\n"), result.stdout)
        XCTAssertEqual(processes(matching: "sleep \(marker)"), [], "the daemon outlived the build")
    }

    func testRunKillsAnAppThatIgnoresSIGTERMAfterTheGracePeriod() throws {
        let app = try procfileApp(in: temporary)
        try Data("web: trap '' TERM; echo ready; while :; do sleep 0.1; done\n".utf8).write(to: app.appendingPathComponent("Procfile"))
        let slug = temporary.appending("slug.tgz")
        XCTAssertEqual(try slugc(["pack", app.path, "-o", slug.path]).exitCode, 0)
        let run = try startSlugcRun(slug, temporaryDirectory: temporary.url, extraArguments: ["--grace", "1"])
        XCTAssertTrue(eventually(seconds: 30) { run.output.contains("ready\n") }, run.output)
        kill(run.process.processIdentifier, SIGTERM)
        // Not at once (it has a second), but well before the test's own 30 s fallback.
        XCTAssertTrue(eventually(seconds: 10) { !run.process.isRunning }, "slugc run did not kill the app: \(run.output)")
        let log = run.stop()
        XCTAssertEqual(run.process.terminationStatus, 128 + SIGKILL, log)
        XCTAssertTrue(log.hasSuffix("ready\n !     The process was still running 1 s after SIGTERM, so it and everything it started got SIGKILL, as on a dyno. Make it exit on SIGTERM, or give it longer with --grace SECONDS.\n"), log)
        XCTAssertEqual(names(in: temporary.url).filter { $0.hasPrefix("slugc-run-") }, [], "the run folder was left")
    }
}
