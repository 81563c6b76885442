import Foundation
import SlugTestSupport
import XCTest

/// `slugc run` leaves nothing in TMPDIR, even after a run of it was SIGKILLed (a deploy
/// server's hard stop): the next run sweeps the folder the killed one could not remove.
final class RunCleanupTests: XCTestCase {
    var temporary: TemporaryDirectory!
    var scratch: URL { temporary.appending("tmp") }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-run-cleanup-cli")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDown() { temporary.remove() }

    private func slug() throws -> URL {
        let root = temporary.appending("slugroot/app")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("lib"), withIntermediateDirectories: true)
        for index in 0..<300 { try Data("\(index)\n".utf8).write(to: root.appendingPathComponent("lib/m\(index).py")) }
        let slug = temporary.appending("app.tgz")
        XCTAssertEqual(try runCommand("/bin/tar", ["czf", slug.path, "-C", temporary.appending("slugroot").path, "./app"]).exitCode, 0)
        return slug
    }

    private func waitFor(_ file: URL, seconds: Double = 60) {
        let deadline = Date().addingTimeInterval(seconds)
        while !FileManager.default.fileExists(atPath: file.path), Date() < deadline { usleep(20_000) }
    }

    func testTheFolderOfASIGKILLedRunIsSweptByTheNextRun() throws {
        let slug = try slug()
        let pidFile = temporary.appending("app.pid")
        let killed = Process()
        killed.executableURL = slugcExecutable
        killed.arguments = ["run", slug.path, "--", "bash", "-c", "echo $$ > \(pidFile.path); exec sleep 60"]
        killed.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": scratch.path]) { _, given in given }
        killed.standardOutput = FileHandle.nullDevice
        killed.standardError = FileHandle.nullDevice
        try killed.run()
        waitFor(pidFile)
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        let left = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
        XCTAssertEqual(left.count, 1, "\(left)")
        XCTAssertTrue(left.first?.hasPrefix("slugc-run-") == true, "\(left)")

        // The app outlived its slugc: while it runs in the folder, the folder stays.
        let again = try slugc(["run", slug.path, "--", "true"], environment: ["TMPDIR": scratch.path])
        XCTAssertEqual(again.exitCode, 0, again.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), left, "a running app's folder was swept")

        // Once it is gone too, the next run removes what the killed one left.
        let app = Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(app, 0)
        kill(app, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while kill(app, 0) == 0, Date() < deadline { usleep(20_000) }
        let last = try slugc(["run", slug.path, "--", "true"], environment: ["TMPDIR": scratch.path])
        XCTAssertEqual(last.exitCode, 0, last.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [], "the killed run's folder was left")
    }
}
