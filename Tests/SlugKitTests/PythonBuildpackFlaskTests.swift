import Foundation
import SlugTestSupport
import XCTest

/// The seed app (a Flask blog with `-r` includes, `-e .` and a gunicorn Procfile) compiled once
/// by the Python buildpack, then booted in place and from another folder.
final class PythonBuildpackFlaskTests: XCTestCase {
    nonisolated(unsafe) static var temporary: TemporaryDirectory?
    nonisolated(unsafe) static var build: URL?
    nonisolated(unsafe) static var compile: CommandResult?
    nonisolated(unsafe) static var setUpError: Error?

    override class func setUp() {
        super.setUp()
        do {
            let temporary = try TemporaryDirectory(prefix: "python-flask")
            let build = try fixture("python-flask", in: temporary)
            compile = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig)
            self.temporary = temporary
            self.build = build
        } catch {
            setUpError = error
        }
    }

    override class func tearDown() {
        temporary?.remove()
        super.tearDown()
    }

    private func compiled() throws -> (build: URL, result: CommandResult, temporary: TemporaryDirectory) {
        if let setUpError = Self.setUpError { throw setUpError }
        let build = try XCTUnwrap(Self.build), result = try XCTUnwrap(Self.compile), temporary = try XCTUnwrap(Self.temporary)
        XCTAssertEqual(result.exitCode, 0, result.stdout + result.stderr)
        return (build, result, temporary)
    }

    func testCompileSaysWhichPythonAndInstallsIncludedAndLocalRequirements() throws {
        let (build, result, _) = try compiled()
        let lines = result.stdout.components(separatedBy: "\n")
        XCTAssertTrue(lines.contains { $0.hasPrefix("-----> Using Python 3.11.") && $0.hasSuffix(" (.python-version asks for 3.11)") }, result.stdout)
        XCTAssertTrue(lines.contains("-----> Installing requirements with pip"), result.stdout)
        let site = try sitePackages(of: build)
        // flask comes from `-r requirements/base.txt`, blog from `-e .`.
        for name in ["flask", "gunicorn", "werkzeug", "__editable___blog_0_1_0_finder.py"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: site.appendingPathComponent(name).path), name)
        }
    }

    func testPythonIsAWholeInstallationInsideTheSlug() throws {
        let (build, _, _) = try compiled()
        let prefix = build.appendingPathComponent(".heroku/python")
        let fm = FileManager.default
        XCTAssertFalse(fm.fileExists(atPath: prefix.appendingPathComponent("pyvenv.cfg").path), "a venv points at an interpreter outside the slug")
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: prefix.appendingPathComponent("bin/python3").path), "python3.11")
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: prefix.appendingPathComponent("bin/python").path), "python3.11")
        XCTAssertTrue(fm.fileExists(atPath: prefix.appendingPathComponent("lib/python3.11/os.py").path))
        for leftOut in ["test", "idlelib", "tkinter", "turtledemo", "ensurepip/_bundled", "site-packages/pip"] {
            XCTAssertFalse(fm.fileExists(atPath: prefix.appendingPathComponent("lib/python3.11/\(leftOut)").path), leftOut)
        }
        let dynamic = try runCommand("/usr/bin/env", ["readelf", "-d", prefix.appendingPathComponent("bin/python3.11").path]).stdout
        XCTAssertTrue(dynamic.contains("Library runpath: [$ORIGIN/../lib]"), dynamic)
        // The standard library's bytecode is hash-based too, so the slug's fixed mtimes do not invalidate it.
        let pyc = try Data(contentsOf: prefix.appendingPathComponent("lib/python3.11/__pycache__/os.cpython-311.pyc"))
        XCTAssertEqual(pyc[4], 0b01)
    }

    func testProfileScriptFindsPackagesFromHome() throws {
        let (build, _, _) = try compiled()
        let profile = try String(contentsOf: build.appendingPathComponent(".profile.d/python.sh"), encoding: .utf8)
        XCTAssertTrue(profile.contains("export PATH=\"$HOME/.heroku/python/bin:$PATH\"\n"), profile)
        XCTAssertTrue(profile.contains("export PYTHONUNBUFFERED=\"${PYTHONUNBUFFERED:-1}\"\n"), profile)
    }

    func testNoFileInTheBuiltAppHoldsTheBuildDirectoryPath() throws {
        let (build, _, _) = try compiled()
        XCTAssertEqual(try filesContaining(build.path, under: build), [])
    }

    /// The buildpack rewrites some files after pip installed them (console scripts, the editable
    /// finder); their RECORD rows must follow. Stale ones hashed the build folder's path, which
    /// differs on every build, so every slug's RECORDs differed and pip saw files that fail their hash.
    func testEveryRecordRowMatchesTheInstalledFile() throws {
        let (build, _, _) = try compiled()
        let check = """
            import base64, csv, hashlib, os, sys
            site, checked = sys.argv[1], 0
            for entry in sorted(os.listdir(site)):
                record = os.path.join(site, entry, "RECORD")
                if not entry.endswith(".dist-info") or not os.path.isfile(record):
                    continue
                for path, digest, size in csv.reader(open(record, newline="")):
                    if not digest:
                        continue
                    data = open(os.path.normpath(os.path.join(site, path)), "rb").read()
                    expected = "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                    checked += 1
                    if digest != expected or int(size) != len(data):
                        print("stale:", entry, path)
            print("checked", checked, "rows")
            """
        let result = try runCommand("/usr/bin/env", ["python3", "-c", check, try sitePackages(of: build).path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("stale:"), result.stdout)
        let checked = result.stdout.split(separator: "\n").last.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        XCTAssertGreaterThan(checked, 100, result.stdout)
    }

    func testBytecodeIsHashBasedAndUnchecked() throws {
        let (build, _, _) = try compiled()
        let pyc = try XCTUnwrap(FileManager.default.enumerator(atPath: try sitePackages(of: build).appendingPathComponent("flask").path)?
            .compactMap { $0 as? String }.first { $0.hasSuffix(".pyc") })
        let data = try Data(contentsOf: try sitePackages(of: build).appendingPathComponent("flask").appendingPathComponent(pyc))
        // PEP 552 flags word after the magic: 0b01 = hash-based, check_source bit (0b10) unset.
        XCTAssertEqual(data[4], 0b01)
    }

    func testGunicornServesTheAppFromTheBuildDirectory() throws {
        let (build, _, _) = try compiled()
        let app = try startDyno(in: build, command: try procfileWebCommand(of: build))
        defer { app.stop() }
        let response = try waitForHTTP(port: app.port)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, "<h1>Flask blog</h1><p>Hello from a slug</p>")
        let posts = try httpGet(port: app.port, path: "/posts")
        XCTAssertEqual(posts.body.trimmingCharacters(in: .whitespacesAndNewlines), #"[{"id":1,"title":"Hello from a slug"}]"#)
        XCTAssertTrue(app.stop().contains("Booting worker"))
    }

    func testBuiltAppRunsAfterMovingItElsewhere() throws {
        let (build, _, temporary) = try compiled()
        let moved = temporary.appending("elsewhere/app")
        try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
        try runCommand("/bin/cp", ["-a", build.path, moved.path])
        defer { try? FileManager.default.removeItem(at: moved) }

        // The editable app package and its console script resolve inside the new folder, from any working directory.
        let printed = try runInDyno(moved, command: #"cd / && python -c 'import blog, sys; print(blog.__file__); print(sys.prefix)' && blog-hello"#).output
        XCTAssertEqual(printed, "\(moved.path)/blog/__init__.py\n\(moved.path)/.heroku/python\nblog says hello\n")

        let app = try startDyno(in: moved, command: try procfileWebCommand(of: moved))
        defer { app.stop() }
        XCTAssertEqual(try waitForHTTP(port: app.port).status, 200)
    }
}

/// `.heroku/python/lib/python3.X/site-packages` of a built app.
func sitePackages(of build: URL) throws -> URL {
    let lib = build.appendingPathComponent(".heroku/python/lib")
    let versions = try FileManager.default.contentsOfDirectory(atPath: lib.path).filter { $0.hasPrefix("python3.") }
    let version = try XCTUnwrap(versions.first, "no python3.X folder in \(lib.path)")
    return lib.appendingPathComponent(version).appendingPathComponent("site-packages")
}

/// The one interpreter a build cache holds (`python/runtimes/<key>/python`).
func cachedInterpreter(in cache: URL) throws -> URL {
    let runtimes = cache.appendingPathComponent("python/runtimes")
    let keys = try FileManager.default.contentsOfDirectory(atPath: runtimes.path).filter { !$0.hasPrefix(".") }
    XCTAssertEqual(keys.count, 1, "interpreters in \(runtimes.path): \(keys)")
    return runtimes.appendingPathComponent(try XCTUnwrap(keys.first)).appendingPathComponent("python")
}

/// How many names the file at `url` has (hard links).
func linkCount(_ url: URL) throws -> Int {
    try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: url.path)[.referenceCount] as? Int)
}

/// The Python buildpack's folder in this checkout.
var pythonBuildpack: URL { builtInBuildpack("python") }
