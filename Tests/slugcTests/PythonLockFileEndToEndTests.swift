import Foundation
import SlugTestSupport
import XCTest

/// A Flask app locked by uv, by Poetry and by Pipenv (Fixtures/python-uv, -poetry, -pipenv,
/// locked against the local index of the wheelhouse) goes through `slugc build`, boots with
/// `slugc run` and with `slugc run --root` in the bare run image, and answers 200. Each lock has
/// a dev-only dependency (sqlparse) that must not be in the slug.
final class PythonLockFileEndToEndTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var index: LocalPackageIndex!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-python-locks")
        index = try LocalPackageIndex()
    }

    override func tearDown() {
        index?.stop()
        temporary?.remove()
    }

    private func buildBootAndGet(_ manager: String, installLine: String) throws {
        let app = try fixture("python-\(manager)", in: temporary)
        let before = try treeSnapshot(app)
        let slug = temporary.appending("\(manager).tgz")
        var arguments = ["build", app.path, "-o", slug.path, "--json"]
        for (key, value) in try offlineLockConfig().sorted(by: { $0.key < $1.key }) { arguments += ["--env", "\(key)=\(value)"] }
        let built = try slugc(arguments)
        XCTAssertEqual(built.exitCode, 0, built.stderr)
        XCTAssertTrue(built.stderr.hasPrefix("-----> Python app detected\n"), built.stderr)
        XCTAssertTrue(built.stderr.contains("\n-----> \(installLine)\n"), built.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(built.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(release["process_types"] as? [String: String], ["web": "gunicorn app:app --bind 0.0.0.0:$PORT --workers 1"])
        // Nothing in the slug points at the build or cache folders, nor at the tools' virtual environments.
        XCTAssertEqual(release["warnings"] as? [String], [], built.stderr)
        XCTAssertEqual(try treeSnapshot(app), before, "the build changed the source tree")

        let listing = try runCommand("/usr/bin/env", ["tar", "-tzf", slug.path]).stdout
        XCTAssertTrue(listing.contains("site-packages/flask/__init__.py\n"), "flask is not in the slug")
        XCTAssertFalse(listing.contains("site-packages/sqlparse"), "the dev-only dependency sqlparse is in the slug")
        XCTAssertFalse(listing.contains("site-packages/\(manager)/"), "the package manager itself is in the slug")

        let runTemporary = temporary.appending("run-tmp")
        try FileManager.default.createDirectory(at: runTemporary, withIntermediateDirectories: true)
        let running = try startSlugcRun(slug, temporaryDirectory: runTemporary)
        let response = try waitForHTTP(port: running.port, seconds: 30)
        let log = running.stop()
        XCTAssertEqual(response.status, 200, log)
        XCTAssertEqual(response.headers["server"], "gunicorn")
        XCTAssertEqual(response.body, "<h1>Hello from a \(manager)-locked slug</h1>")

        let image = try runImage()
        let rooted = try startSlugcRun(slug, temporaryDirectory: runTemporary, rootFilesystem: image)
        let rootedResponse: HTTPResponse
        do { rootedResponse = try rooted.waitForHTTP(seconds: 60) } catch {
            rooted.stop()
            throw error
        }
        let rootedLog = rooted.stop()
        XCTAssertEqual(rootedResponse.status, 200, rootedLog)
        XCTAssertEqual(rootedResponse.body, "<h1>Hello from a \(manager)-locked slug</h1>")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runTemporary.path), [], "the run folder was left behind")
    }

    func testUvLockedAppBuildsAndServes() throws {
        try buildBootAndGet("uv", installLine: "Installing dependencies with 'uv sync --locked --no-dev'")
    }

    func testPoetryLockedAppBuildsAndServes() throws {
        try buildBootAndGet("poetry", installLine: "Installing dependencies with 'poetry sync --only main --no-interaction'")
    }

    func testPipenvLockedAppBuildsAndServes() throws {
        try buildBootAndGet("pipenv", installLine: "Installing dependencies with 'pipenv install --deploy'")
    }
}
