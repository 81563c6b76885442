import Foundation
import SlugTestSupport
import XCTest

/// Interpreters from a runtime index served by a local HTTP server: the archive (one of this
/// machine's interpreters, packed in python-build-standalone's install_only layout) is downloaded,
/// verified and cached; a wrong checksum installs and caches nothing; an unreachable index falls
/// back to the other sources with a line saying so.
final class PythonBuildpackRuntimeIndexTests: XCTestCase {
    nonisolated(unsafe) static var shared: TemporaryDirectory?
    nonisolated(unsafe) static var archive: URL?
    var temporary: TemporaryDirectory!
    var py310: MachinePython!

    override class func tearDown() {
        shared?.remove()
        super.tearDown()
    }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "python-index")
        py310 = try requirePyenvPython("3.10")
        if Self.archive == nil {
            let shared = try TemporaryDirectory(prefix: "python-index-archive")
            Self.shared = shared
            Self.archive = try packInstallOnlyArchive(py310, into: shared)
        }
    }

    override func tearDown() { temporary.remove() }

    /// A folder served over HTTP with the archive (as `cpython.tar.gz`, or `bytes` instead) and an index naming `sha256`.
    private func serveIndex(sha256: String? = nil, bytes: Data? = nil) throws -> (RunningApp, String) {
        let site = temporary.appending("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        let archive = try XCTUnwrap(Self.archive)
        if let bytes { try bytes.write(to: site.appendingPathComponent("cpython.tar.gz")) } else {
            try FileManager.default.copyItem(at: archive, to: site.appendingPathComponent("cpython.tar.gz"))
        }
        let digest = try sha256 ?? XCTUnwrap(try sha256sum(archive))
        let index = #"{"versions": [{"version": "\#(py310.version)", "url": "cpython.tar.gz", "sha256": "\#(digest)"}]}"#
        try Data(index.utf8).write(to: site.appendingPathComponent("index.json"))
        let port = freePort()
        let server = try RunningApp(executable: "/usr/bin/env", ["python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", site.path], port: port)
        _ = try waitForHTTP(port: port, path: "/index.json", seconds: 20)
        return (server, "http://127.0.0.1:\(port)")
    }

    private func sha256sum(_ file: URL?) throws -> String? {
        guard let file else { return nil }
        let result = try runCommand("/usr/bin/env", ["sha256sum", file.path])
        return result.stdout.split(separator: " ").first.map(String.init)
    }

    private func compile(index: String, cache: URL, pythons: [MachinePython] = []) throws -> (CommandResult, URL) {
        let build = try fixture("python-minimal", in: temporary, as: "app-\(UUID().uuidString.prefix(6))")
        try Data("3.10\n".utf8).write(to: build.appendingPathComponent(".python-version"))
        let stack = try PythonTestStack(in: try TemporaryDirectory(prefix: "python-index-stack"), pythons: pythons)
        var config = offlinePipConfig
        config["PYTHON_RUNTIME_INDEX"] = index
        return (try compileWithBuildpack(pythonBuildpack, build: build, cache: cache, configVars: config, environment: stack.environment), build)
    }

    func testTheFirstBuildDownloadsAndVerifiesAndTheNextUsesTheCacheWithTheServerGone() throws {
        let (server, base) = try serveIndex()
        let cache = temporary.appending("cache")
        let (first, build) = try compile(index: "\(base)/index.json", cache: cache)
        server.stop()
        XCTAssertEqual(first.exitCode, 0, first.stdout)
        let size = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: try XCTUnwrap(Self.archive).path)[.size] as? NSNumber).doubleValue
        XCTAssertTrue(first.stdout.hasPrefix("""
            -----> Using Python \(py310.version) (.python-version asks for 3.10)
            -----> Installing Python \(py310.version) (from \(base)/cpython.tar.gz)
                   Downloaded \(String(format: "%.1f", size / 1e6)) MB; its SHA-256 matches the index.
            -----> Installing requirements with pip

            """), first.stdout)
        XCTAssertEqual(try installedPythonVersion(build), py310.version)
        let dynamic = try runCommand("/usr/bin/env", ["readelf", "-d", build.appendingPathComponent(".heroku/python/bin/python3.10").path]).stdout
        XCTAssertTrue(dynamic.contains("[$ORIGIN/../lib]"), dynamic)

        let (second, rebuilt) = try compile(index: "\(base)/index.json", cache: cache)
        XCTAssertEqual(second.exitCode, 0, second.stdout)
        XCTAssertTrue(second.stdout.hasPrefix("""
             !     Warning: could not read the runtime index \(base)/index.json (Connection refused); using the other sources.
            -----> Using Python \(py310.version) (.python-version asks for 3.10)
            -----> Installing Python \(py310.version) (from the build cache: a copy of \(base)/cpython.tar.gz)
            -----> Requirements unchanged: reusing installed packages from the cache

            """), second.stdout)
        XCTAssertEqual(try installedPythonVersion(rebuilt), py310.version)
    }

    func testAnArchiveThatDoesNotMatchItsChecksumFailsAndCachesNothing() throws {
        var bytes = try Data(contentsOf: try XCTUnwrap(Self.archive))
        bytes[bytes.count / 2] ^= 0xff
        let damaged = temporary.appending("damaged.tar.gz")
        try bytes.write(to: damaged)
        let expected = try XCTUnwrap(try sha256sum(Self.archive)), actual = try XCTUnwrap(try sha256sum(damaged))
        let (server, base) = try serveIndex(sha256: expected, bytes: bytes)
        defer { server.stop() }
        let cache = temporary.appending("cache")
        let (result, build) = try compile(index: "\(base)/index.json", cache: cache)
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
            -----> Using Python \(py310.version) (.python-version asks for 3.10)
            -----> Installing Python \(py310.version) (from \(base)/cpython.tar.gz)
             !     The Python archive downloaded from \(base)/cpython.tar.gz does not match its checksum:
             !       the runtime index says SHA-256 \(expected),
             !       the downloaded file has SHA-256 \(actual).
             !     Nothing was installed or cached. If the archive was replaced on purpose, update the index's sha256; otherwise the download was damaged or tampered with: build again, or use another mirror.

            """)
        let cached = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("python").path)
        for nothing in ["downloads", "installed", "state.json"] { XCTAssertFalse(cached.contains(nothing), "\(nothing) in \(cached)") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("python/runtimes").path), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: build.appendingPathComponent(".heroku").path))
    }

    func testAnUnreachableIndexFallsBackToTheMachinesInterpreters() throws {
        let port = freePort()
        let (result, build) = try compile(index: "http://127.0.0.1:\(port)/index.json", cache: temporary.appending("cache"), pythons: [py310])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix("""
             !     Warning: could not read the runtime index http://127.0.0.1:\(port)/index.json (Connection refused); using the other sources.
            -----> Using Python \(py310.version) (.python-version asks for 3.10)
            -----> Installing Python \(py310.version) (from \(py310.prefix.path) on this machine)

            """), result.stdout)
        XCTAssertEqual(try installedPythonVersion(build), py310.version)
    }

    func testAnIndexThatIsNotJSONNamesTheLine() throws {
        let index = temporary.appending("index.json")
        try Data("{\"versions\": [\n  {\"version\": \"3.10.1\",}\n]}\n".utf8).write(to: index)
        let (result, _) = try compile(index: index.path, cache: temporary.appending("cache"))
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     The runtime index \(index.path) is not valid: line 2 column 24: Expecting property name enclosed in double quotes.
             !     It must be JSON: {"versions": [{"version": "3.12.7", "url": "...", "sha256": "..."}]}.
             !     Fix the file, or set PYTHON_RUNTIME_INDEX to another index (an empty value turns the index off).

            """)
    }
}

/// Packs `python`'s prefix the way python-build-standalone's install_only archives are laid out
/// (`python/bin/python3.X`, `python/lib/…`), without its site-packages and tests.
func packInstallOnlyArchive(_ python: MachinePython, into temporary: TemporaryDirectory) throws -> URL {
    let series = python.series
    let script = """
        set -euo pipefail
        prefix="$1"; series="$2"; work="$3"
        mkdir -p "$work/python/bin" "$work/python/lib"
        cp -a "$prefix/bin/python$series" "$work/python/bin/"
        ln -s "python$series" "$work/python/bin/python3"
        cp -a "$prefix"/lib/libpython* "$work/python/lib/"
        tar -C "$prefix/lib" -cf - --exclude="python$series/site-packages" --exclude="python$series/test" \
            --exclude=__pycache__ --exclude='*.a' "python$series" | tar -C "$work/python/lib" -xf -
        cp -a "$prefix/include" "$work/python/"
        tar -C "$work" -czf "$work/cpython.tar.gz" python
        rm -rf "$work/python"
        """
    let work = temporary.appending("archive")
    let result = try runCommand("/bin/bash", ["-c", script, "pack", python.prefix.path, series, work.path])
    guard result.exitCode == 0 else { throw FixtureError(message: "packing \(python.prefix.path) failed: \(result.stderr)") }
    return work.appendingPathComponent("cpython.tar.gz")
}
