import Foundation
import SlugTestSupport
import XCTest

/// CACHE_DIR between builds of a lock-file app (Fixtures/python-uv): an unchanged lock reuses
/// the installed packages without running uv; a changed lock, another package manager or another
/// version of it prints `Discarding cache since:` with the reason. One cold build in setUp; each
/// test works on its own copy of its cache.
final class PythonBuildpackLockCacheTests: XCTestCase {
    nonisolated(unsafe) static var temporary: TemporaryDirectory?
    nonisolated(unsafe) static var cold: CommandResult?
    nonisolated(unsafe) static var setUpError: Error?
    var temporary: TemporaryDirectory!
    var index: LocalPackageIndex!

    override class func setUp() {
        super.setUp()
        do {
            let temporary = try TemporaryDirectory(prefix: "python-lock-cache")
            self.temporary = temporary
            let index = try LocalPackageIndex()
            defer { index.stop() }
            let build = try fixture("python-uv", in: temporary)
            cold = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: try offlineLockConfig())
        } catch {
            setUpError = error
        }
    }

    override class func tearDown() {
        temporary?.remove()
        super.tearDown()
    }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "python-lock-cache-test")
        index = try LocalPackageIndex()
    }

    override func tearDown() {
        index?.stop()
        temporary.remove()
    }

    /// A fresh copy of `fixtureName` and of the cold build's cache, compiled after `change` edits them.
    private func rebuild(_ fixtureName: String = "python-uv", change: (URL, URL) throws -> Void = { _, _ in }) throws -> (CommandResult, URL) {
        if let error = Self.setUpError { throw error }
        let cold = try XCTUnwrap(Self.cold, "the cold build did not run")
        XCTAssertEqual(cold.exitCode, 0, cold.stdout)
        let cache = temporary.appending("cache")
        try runCommand("/bin/cp", ["-a", try XCTUnwrap(Self.temporary).appending("cache").path, cache.path])
        let build = try fixture(fixtureName, in: temporary)
        try change(build, cache)
        return (try compileWithBuildpack(pythonBuildpack, build: build, cache: cache, configVars: try offlineLockConfig()), build)
    }

    func testTheColdBuildInstallsUvIntoTheCacheNotTheSlug() throws {
        if let error = Self.setUpError { throw error }
        let cold = try XCTUnwrap(Self.cold)
        XCTAssertTrue(cold.stdout.contains("-----> Installing uv 0.13.9 into the build cache\n       Installed uv 0.13.9.\n-----> Installing dependencies with 'uv sync --locked --no-dev'\n"), cold.stdout)
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: try XCTUnwrap(Self.temporary).appending("cache/python/tools/uv-0.13.9/bin/uv").path))
    }

    func testUnchangedLockReusesTheInstalledPackages() throws {
        let (result, build) = try rebuild()
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("-----> uv.lock unchanged: reusing installed packages from the cache\n"), result.stdout)
        XCTAssertFalse(result.stdout.contains("uv sync"), result.stdout)
        XCTAssertFalse(result.stdout.contains("Discarding cache"), result.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: try sitePackages(of: build).appendingPathComponent("flask/__init__.py").path))
        XCTAssertEqual(try filesContaining(build.path, under: build), [])
    }

    func testChangedManifestSaysSoAndSyncsWithTheCachedUv() throws {
        let edit = { (build: URL) throws in
            let manifest = build.appendingPathComponent("pyproject.toml")
            try Data((try String(contentsOf: manifest, encoding: .utf8) + "# edited\n").utf8).write(to: manifest)
        }
        // The cache was copied elsewhere: uv's virtual environment pointed at the old place, so it is made again.
        let (moved, build) = try rebuild { build, _ in try edit(build) }
        XCTAssertEqual(moved.exitCode, 0, moved.stdout)
        XCTAssertTrue(moved.stdout.contains("""
            -----> Discarding cache since:
                   - The contents of pyproject.toml changed
            -----> Installing uv 0.13.9 into the build cache

            """), moved.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: try sitePackages(of: build).appendingPathComponent("sqlparse").path))

        // Edited again, in the same cache: the cached uv syncs.
        let again = try fixture("python-uv", in: temporary, as: "again")
        try edit(again)
        try edit(again)
        // The synced interpreter shares its files with the cached one: uv must not write through them.
        let interpreter = try cachedInterpreter(in: temporary.appending("cache"))
        let before = try treeSnapshot(interpreter)
        let result = try compileWithBuildpack(pythonBuildpack, build: again, cache: temporary.appending("cache"), configVars: try offlineLockConfig())
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertEqual(try treeSnapshot(interpreter), before)
        XCTAssertGreaterThan(try linkCount(try sitePackages(of: again).deletingLastPathComponent().appendingPathComponent("os.py")), 1)
        XCTAssertTrue(result.stdout.contains("""
            -----> Discarding cache since:
                   - The contents of pyproject.toml changed
            -----> Using uv 0.13.9 from the build cache
            -----> Installing dependencies with 'uv sync --locked --no-dev'

            """), result.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: try sitePackages(of: again).appendingPathComponent("flask/__init__.py").path))
    }

    func testAnotherVersionOfTheToolIsAReason() throws {
        let (result, _) = try rebuild { _, cache in
            let state = cache.appendingPathComponent("python/state.json")
            let text = try String(contentsOf: state, encoding: .utf8)
            try Data(text.replacingOccurrences(of: #""manager_version": "0.13.9""#, with: #""manager_version": "0.13.8""#).utf8).write(to: state)
        }
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("-----> Discarding cache since:\n       - The uv version has changed from 0.13.8 to 0.13.9\n"), result.stdout)
    }

    func testAnotherPackageManagerIsAReason() throws {
        let (result, build) = try rebuild("python-minimal") { build, _ in
            try Data("3.11\n".utf8).write(to: build.appendingPathComponent(".python-version"))
        }
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("-----> Discarding cache since:\n       - The package manager has changed from uv to pip\n-----> Installing requirements with pip\n"), result.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: try sitePackages(of: build).appendingPathComponent("flask").path), "uv's packages stayed")
    }
}
