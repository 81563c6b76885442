import Foundation
import SlugTestSupport
import XCTest

/// CACHE_DIR between builds: reuse when nothing changed, a clean install when requirements or
/// the interpreter changed. One cold build in setUp; each test works on its own copy of its cache.
final class PythonBuildpackCacheTests: XCTestCase {
    nonisolated(unsafe) static var temporary: TemporaryDirectory?
    nonisolated(unsafe) static var coldCache: URL?
    nonisolated(unsafe) static var coldBuild: URL?
    nonisolated(unsafe) static var cold: CommandResult?
    var temporary: TemporaryDirectory!

    override class func setUp() {
        super.setUp()
        guard let temporary = try? TemporaryDirectory(prefix: "python-cache"),
              let build = try? fixture("python-flask", in: temporary) else { return }
        self.temporary = temporary
        coldCache = temporary.appending("cache")
        coldBuild = build
        cold = try? compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig)
    }

    override class func tearDown() {
        temporary?.remove()
        super.tearDown()
    }

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "python-cache-test") }
    override func tearDown() { temporary.remove() }

    /// A fresh copy of the fixture and of the cold build's cache, compiled after `change` edits them.
    private func rebuild(change: (URL, URL) throws -> Void = { _, _ in }) throws -> (CommandResult, URL) {
        let cold = try XCTUnwrap(Self.cold, "the cold build did not run")
        XCTAssertEqual(cold.exitCode, 0, cold.stdout)
        let cache = temporary.appending("cache")
        try runCommand("/bin/cp", ["-a", try XCTUnwrap(Self.coldCache).path, cache.path])
        let build = try fixture("python-flask", in: temporary)
        try change(build, cache)
        return (try compileWithBuildpack(pythonBuildpack, build: build, cache: cache, configVars: offlinePipConfig), build)
    }

    func testUnchangedRequirementsReuseTheInstalledPackages() throws {
        let (result, build) = try rebuild()
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("-----> Requirements unchanged: reusing installed packages from the cache\n"), result.stdout)
        XCTAssertFalse(result.stdout.contains("Installing requirements with pip"), result.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: try sitePackages(of: build).appendingPathComponent("flask/__init__.py").path))
        XCTAssertEqual(try filesContaining(build.path, under: build), [])
        let version = try runInDyno(build, command: "gunicorn --version").output
        XCTAssertTrue(version.hasPrefix("gunicorn (version 27.0.1)"), version)
        // What pip wrote into the app's folder (setuptools' blog.egg-info, for `-e .`) comes back
        // from the cache too: the rebuilt app holds the same files as the cold build's.
        let coldBuild = try XCTUnwrap(Self.coldBuild)
        XCTAssertEqual(readText(build.appendingPathComponent("blog.egg-info/entry_points.txt")),
                       readText(coldBuild.appendingPathComponent("blog.egg-info/entry_points.txt")))
        XCTAssertNotNil(readText(build.appendingPathComponent("blog.egg-info/PKG-INFO")))
        XCTAssertEqual(relativeFileListing(build), relativeFileListing(coldBuild))
    }

    func testChangedRequirementsDropTheRemovedPackage() throws {
        var interpreter: URL?, before: [String: String] = [:]
        let (result, build) = try rebuild { build, cache in
            interpreter = try cachedInterpreter(in: cache)
            before = try treeSnapshot(try XCTUnwrap(interpreter))
            let requirements = build.appendingPathComponent("requirements.txt")
            let text = try String(contentsOf: requirements, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "gunicorn==27.0.1\n", with: "").utf8).write(to: requirements)
        }
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("       Requirements changed since the cached build: installing them from scratch.\n-----> Installing requirements with pip\n"), result.stdout)
        let site = try sitePackages(of: build)
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.appendingPathComponent("gunicorn").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: build.appendingPathComponent(".heroku/python/bin/gunicorn").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent("flask").path))
        // The slug's interpreter shares its files with the cached one (hard links, no data
        // written): pip installing on top of it must never write through a link into the cache.
        XCTAssertGreaterThan(try linkCount(site.deletingLastPathComponent().appendingPathComponent("os.py")), 1,
                             "the interpreter was copied, not linked: the check below would prove nothing")
        XCTAssertEqual(try treeSnapshot(try XCTUnwrap(interpreter)), before)
    }

    func testCacheFromAnotherPythonIsDiscarded() throws {
        var current: [String: Any] = [:]
        let (result, _) = try rebuild { _, cache in
            let state = cache.appendingPathComponent("python/state.json")
            current = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: state)) as? [String: Any])
            var older = current
            older["python"] = "3.11.0"
            older["stack"] = "heroku-22"
            try JSONSerialization.data(withJSONObject: older).write(to: state)
        }
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        let version = try XCTUnwrap(current["python"] as? String)
        XCTAssertTrue(result.stdout.contains("""
            -----> Discarding cache since:
                   - The stack has changed from heroku-22 to heroku-24
                   - The Python version has changed from 3.11.0 to \(version)
            -----> Installing requirements with pip

            """), result.stdout)
    }
}
