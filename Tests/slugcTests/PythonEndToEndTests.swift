import Foundation
import SlugTestSupport
import XCTest

/// The seed's case: a Flask app with requirements.txt and a Procfile goes through
/// `slugc build` with the default buildpacks, and `slugc run` boots it under gunicorn.
final class PythonEndToEndTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-python-e2e") }
    override func tearDown() { temporary?.remove() }

    func testFlaskAppBuildsDetectsPythonAndBootsUnderGunicorn() throws {
        let app = try fixture("python-flask", in: temporary)
        let before = try treeSnapshot(app)
        let slug = temporary.appending("slug.tgz")
        let built = try slugc(["build", app.path, "-o", slug.path, "--json",
                               "--env", "PIP_NO_INDEX=1", "--env", "PIP_FIND_LINKS=\(pythonWheelhouse.path)", "--env", "PYTHON_RUNTIME_INDEX=none"])
        XCTAssertEqual(built.exitCode, 0, built.stderr)
        XCTAssertTrue(built.stderr.hasPrefix("-----> Python app detected\n"), built.stderr)
        XCTAssertTrue(built.stderr.contains("       Procfile declares types -> web\n"), built.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(built.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(release["buildpack_provided_description"] as? String, "Python")
        XCTAssertEqual(release["process_types"] as? [String: String], ["web": "gunicorn blog:app --bind 0.0.0.0:$PORT --workers 1"])
        // The portability check found nothing that points outside the slug: a whole Python, relocated.
        XCTAssertEqual(release["warnings"] as? [String], [], built.stderr)
        XCTAssertEqual(try treeSnapshot(app), before, "the build changed the source tree")

        let runTemporary = temporary.appending("run-tmp")
        try FileManager.default.createDirectory(at: runTemporary, withIntermediateDirectories: true)
        let running = try startSlugcRun(slug, temporaryDirectory: runTemporary)
        let response = try waitForHTTP(port: running.port, seconds: 30)
        let log = running.stop()
        XCTAssertEqual(response.status, 200, log)
        XCTAssertEqual(response.headers["server"], "gunicorn")
        XCTAssertTrue(response.body.contains("Hello from a slug"), response.body)
        XCTAssertTrue(log.contains("-----> Running gunicorn blog:app --bind 0.0.0.0:$PORT --workers 1 (PORT=\(running.port))"), log)
        XCTAssertEqual(running.process.terminationStatus, 0, log)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runTemporary.path), [], "the run folder was left behind")
    }

    /// README "The slug": the same source, buildpacks and cache give a byte-identical slug. Each
    /// build installs into a build folder of its own, and a cached rebuild runs no pip at all, so
    /// this fails when anything in the slug records where or how it was installed (RECORD hashes
    /// of relocated scripts, the `blog.egg-info` only pip writes).
    func testColdBuildsAndACachedRebuildGiveTheSameSlugBytes() throws {
        let app = try fixture("python-flask", in: temporary)
        let config = ["--env", "PIP_NO_INDEX=1", "--env", "PIP_FIND_LINKS=\(pythonWheelhouse.path)", "--env", "PYTHON_RUNTIME_INDEX=none"]
        let cache = temporary.appending("cache")
        var slugs: [Data] = []
        for (name, cached) in [("uncached", false), ("cold", true), ("rebuild", true)] {
            let slug = temporary.appending("\(name).tgz")
            let built = try slugc(["build", app.path, "-o", slug.path] + (cached ? ["--cache-dir", cache.path] : []) + config)
            XCTAssertEqual(built.exitCode, 0, built.stderr)
            XCTAssertEqual(built.output.contains("reusing installed packages from the cache"), name == "rebuild", built.output)
            slugs.append(try Data(contentsOf: slug))
        }
        XCTAssertEqual(slugs[1], slugs[0], "two cold builds differ")
        XCTAssertEqual(slugs[2], slugs[0], "the cached rebuild differs from a cold build")
    }

    /// A cached rebuild leaves `.heroku/python` linked to the cache (`SLUGC_CACHE_LINKS`):
    /// collectstatic runs through the link, the slug is the cold build's, and the cache's
    /// installed packages are not touched.
    func testADjangoRebuildPacksTheCachedPackagesThroughALinkAndLeavesThemUntouched() throws {
        let app = try fixture("python-django", in: temporary)
        let config = ["--env", "PIP_NO_INDEX=1", "--env", "PIP_FIND_LINKS=\(pythonWheelhouse.path)", "--env", "PYTHON_RUNTIME_INDEX=none"]
        let cache = temporary.appending("cache")
        let installed = cache.appendingPathComponent("python/python/installed")
        let tmp = temporary.appending("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let cold = temporary.appending("cold.tgz"), rebuilt = temporary.appending("rebuilt.tgz")
        let first = try slugc(["build", app.path, "-o", cold.path, "--cache-dir", cache.path] + config)
        XCTAssertEqual(first.exitCode, 0, first.stderr)
        let before = try treeSnapshot(installed)
        XCTAssertGreaterThan(before.count, 5_000)
        let second = try slugc(["build", app.path, "-o", rebuilt.path, "--cache-dir", cache.path] + config, environment: ["TMPDIR": tmp.path])
        XCTAssertEqual(second.exitCode, 0, second.stderr)
        XCTAssertTrue(second.output.contains("-----> Requirements unchanged: reusing installed packages from the cache\n"), second.output)
        XCTAssertTrue(second.output.contains("       1 static file copied to "), second.output)
        XCTAssertFalse(second.output.contains("Copying .heroku/python"), second.output)
        XCTAssertEqual(try Data(contentsOf: rebuilt), try Data(contentsOf: cold), "the cached rebuild differs from the cold build")
        XCTAssertEqual(try treeSnapshot(installed), before, "the rebuild changed the cached packages")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: tmp.path), [], "the build folder was left behind")
    }

    func testAPythonVersionNoSourceOffersIsACompileFailureWithExit30() throws {
        let app = try fixture("python-minimal", in: temporary)
        try Data("3.99\n".utf8).write(to: app.appendingPathComponent(".python-version"))
        let slug = temporary.appending("slug.tgz")
        let built = try slugc(["build", app.path, "-o", slug.path, "--env", "PYTHON_RUNTIME_INDEX=none"])
        XCTAssertEqual(built.exitCode, 30, built.stderr)
        let output = built.stdout + built.stderr
        XCTAssertTrue(output.contains(" !     Python 3.99 is not available (.python-version asks for it).\n"), output)
        XCTAssertTrue(output.contains(" !     Available Python versions:\n"), output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
    }

    func testMissingRequirementsFailsCompileWithExit30() throws {
        let app = try fixture("python-no-requirements", in: temporary)
        let slug = temporary.appending("slug.tgz")
        let built = try slugc(["build", app.path, "-o", slug.path])
        XCTAssertEqual(built.exitCode, 30, built.stderr)
        XCTAssertTrue(built.stderr.contains(" !     Failed to compile app with buildpack python: bin/compile exited with status 1. It needs requirements.txt, Pipfile.lock, poetry.lock or uv.lock at the app root, and the app has none; the buildpack's messages above say more.\n"), built.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
    }
}
