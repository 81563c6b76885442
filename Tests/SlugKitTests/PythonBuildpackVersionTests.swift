import Foundation
import SlugTestSupport
import XCTest

/// Which Python a build gets, on a machine whose interpreters the test chooses (pyenv's 3.11 and
/// 3.10, and the distribution's python3, which is never copied): `.python-version`, then
/// `runtime.txt`, then the last build's series, then the newest; `3.10` means the newest 3.10.x.
final class PythonBuildpackVersionTests: XCTestCase {
    var temporary: TemporaryDirectory!
    var stack: PythonTestStack!
    var py311: MachinePython!, py310: MachinePython!
    let indexOff = "       Not using a runtime index (PYTHON_RUNTIME_INDEX turns it off).\n"

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "python-version")
        py311 = try requirePyenvPython("3.11")
        py310 = try requirePyenvPython("3.10")
        stack = try PythonTestStack(in: temporary, pythons: [py311, py310])
    }

    override func tearDown() { temporary.remove() }

    /// Compiles python-minimal with `files` written into it, on the controlled machine.
    private func compile(_ files: [String: String], cache: String = "cache") throws -> (CommandResult, URL) {
        let build = try fixture("python-minimal", in: temporary, as: "app-\(UUID().uuidString.prefix(6))")
        for (name, text) in files { try Data(text.utf8).write(to: build.appendingPathComponent(name)) }
        let result = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending(cache), configVars: offlinePipConfig,
                                              environment: stack.environment)
        return (result, build)
    }

    func testASeriesGetsItsNewestRelease() throws {
        let (result, build) = try compile([".python-version": "3.10\n"])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix(indexOff + """
            -----> Using Python \(py310.version) (.python-version asks for 3.10)
            -----> Installing Python \(py310.version) (from \(py310.prefix.path) on this machine)
            -----> Installing requirements with pip

            """), result.stdout)
        XCTAssertEqual(try installedPythonVersion(build), py310.version)
    }

    func testAnAbsentPatchReleaseGetsTheNewestOfItsSeriesWithAWarning() throws {
        let absent = py311.version == "3.11.0" ? "3.11.1" : "3.11.0"
        let (result, build) = try compile([".python-version": "\(absent)\n"])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix(indexOff + """
            -----> Using Python \(py311.version) (.python-version asks for \(absent))
            -----> Installing Python \(py311.version) (from \(py311.prefix.path) on this machine)
             !     Warning: Python \(absent) is not available (.python-version asks for it); using \(py311.version), the newest 3.11.
             !     To take the newest 3.11 without this warning, write 3.11 into .python-version.
            -----> Installing requirements with pip

            """), result.stdout)
        XCTAssertEqual(try installedPythonVersion(build), py311.version)
    }

    func testASeriesNoSourceOffersFailsListingEverySource() throws {
        let (result, build) = try compile([".python-version": "3.99\n"])
        XCTAssertEqual(result.exitCode, 1)
        var notUsable = ""
        if FileManager.default.fileExists(atPath: PythonTestStack.distributionPython) {
            notUsable = " !       (not usable: \(PythonTestStack.distributionPython): it is a Linux distribution's own Python (its install layout is patched), which cannot be moved into a slug)\n"
        }
        XCTAssertEqual(result.stdout, indexOff + """
             !     Python 3.99 is not available (.python-version asks for it).
             !     Available Python versions:
             !       this machine: \(py311.version), \(py310.version)

            """ + notUsable + """
             !     Change .python-version to one of these versions, or set the config var PYTHON_RUNTIME_INDEX to the URL or path of a runtime index (JSON listing relocatable CPython archives; see Buildpacks/python/README.md) that offers Python 3.99.

            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: build.appendingPathComponent(".heroku").path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.appending("cache/python/runtimes").path), [])
    }

    func testPythonVersionFileWinsOverRuntimeTxt() throws {
        let (result, build) = try compile([".python-version": "3.10\n", "runtime.txt": "python-\(py311.version)\n"])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix(indexOff + """
            -----> Using Python \(py310.version) (.python-version asks for 3.10)
            -----> Installing Python \(py310.version) (from \(py310.prefix.path) on this machine)
                   runtime.txt is ignored: .python-version takes precedence.

            """), result.stdout)
        XCTAssertEqual(try installedPythonVersion(build), py310.version)
    }

    func testRuntimeTxtStillWorksAndSaysItIsDeprecated() throws {
        let (result, _) = try compile(["runtime.txt": "python-\(py310.version)\n"])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix(indexOff + """
            -----> Using Python \(py310.version) (runtime.txt asks for \(py310.version))
            -----> Installing Python \(py310.version) (from \(py310.prefix.path) on this machine)
             !     Warning: runtime.txt is deprecated: write the version into a .python-version file instead,
             !     e.g. `echo 3.10 > .python-version`, and delete runtime.txt.

            """), result.stdout)
    }

    func testNoRequestTakesTheNewestAndLaterBuildsKeepTheLastBuildsSeries() throws {
        let (first, _) = try compile([:], cache: "fresh-cache")
        XCTAssertEqual(first.exitCode, 0, first.stdout)
        XCTAssertTrue(first.stdout.hasPrefix(indexOff + """
            -----> Using Python \(py311.version)
            -----> Installing Python \(py311.version) (from \(py311.prefix.path) on this machine)
                   No Python version requested: using the newest available.
                   To choose one, add a .python-version file containing e.g. 3.11.

            """), first.stdout)

        let (pinned, _) = try compile([".python-version": "3.10\n"], cache: "sticky-cache")
        XCTAssertEqual(pinned.exitCode, 0, pinned.stdout)
        let (unpinned, build) = try compile([:], cache: "sticky-cache")
        XCTAssertEqual(unpinned.exitCode, 0, unpinned.stdout)
        XCTAssertTrue(unpinned.stdout.hasPrefix(indexOff + """
            -----> Using Python \(py310.version) (the last build used Python 3.10; no version requested)
            -----> Installing Python \(py310.version) (from the build cache: a copy of \(py310.prefix.path))
                   To choose one, add a .python-version file containing e.g. 3.10.
            -----> Requirements unchanged: reusing installed packages from the cache

            """), unpinned.stdout)
        XCTAssertEqual(try installedPythonVersion(build), py310.version)
    }

    func testAnEndOfLifeSeriesBuildsWithAWarning() throws {
        let py39 = try requirePyenvPython("3.9")
        let stack = try PythonTestStack(in: try TemporaryDirectory(prefix: "python-eol-stack"), pythons: [py39])
        let build = try fixture("python-minimal", in: temporary)
        try Data("3.9\n".utf8).write(to: build.appendingPathComponent(".python-version"))
        let result = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig,
                                              environment: stack.environment)
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix(indexOff + """
            -----> Using Python \(py39.version) (.python-version asks for 3.9)
            -----> Installing Python \(py39.version) (from \(py39.prefix.path) on this machine)
             !     Warning: Python 3.9 has reached its end of life: it gets no security fixes.
             !     Move the app to a supported version (3.10 or newer) and change .python-version.

            """), result.stdout)
    }

    func testInterpretersAreFoundInUvsFolderAndOnPathButNeverThroughAShim() throws {
        // No pyenv this time: 3.10 sits in uv's managed-Python folder, 3.11 is a python3.11 on PATH,
        // and a pyenv-style shim script for 3.12 on PATH must not count (it is never run).
        let stack = try PythonTestStack(in: try TemporaryDirectory(prefix: "python-uv-stack"), pythons: [])
        var environment = stack.environment
        let uv = temporary.appending("uv-pythons"), bin = temporary.appending("more-bin")
        try FileManager.default.createDirectory(at: uv, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: uv.appendingPathComponent("cpython-\(py310.version)-linux-x86_64-gnu").path,
                                                   withDestinationPath: py310.prefix.path)
        try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent("python3.11").path,
                                                   withDestinationPath: py311.prefix.appendingPathComponent("bin/python3.11").path)
        let shim = bin.appendingPathComponent("python3.12")
        try Data("#!/usr/bin/env bash\necho 3.12.99 shim ran >&2\nexit 127\n".utf8).write(to: shim)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: shim.path)
        environment["UV_PYTHON_INSTALL_DIR"] = uv.path
        environment["PATH"] = bin.path + ":" + (environment["PATH"] ?? "")
        let build = try fixture("python-minimal", in: temporary)
        try Data("3.12\n".utf8).write(to: build.appendingPathComponent(".python-version"))
        let result = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig,
                                              environment: environment)
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.stdout.contains(" !       this machine: \(py311.version), \(py310.version)\n"), result.stdout)
        XCTAssertFalse(result.stdout.contains("shim"), result.stdout)
        XCTAssertFalse(result.stdout.contains("3.12.99"), result.stdout)
    }

    func testRuntimeTxtThatIsNotAVersion() throws {
        let (result, _) = try compile(["runtime.txt": "pypy3.10-7.3.15\n"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     runtime.txt asks for 'pypy3.10-7.3.15', which is not a Python version this buildpack understands.
             !     Write it as python-3.11.7 or 3.11.

            """)
    }

    func testUnreadableRuntimeTxt() throws {
        let build = try fixture("python-minimal", in: temporary)
        try FileManager.default.createSymbolicLink(atPath: build.appendingPathComponent("runtime.txt").path,
                                                   withDestinationPath: "versions/runtime.txt")  // inside the app, missing
        let result = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig,
                                              environment: stack.environment)
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     runtime.txt cannot be read: No such file or directory.
             !     Make runtime.txt a readable text file containing a Python version such as 3.11.

            """)

        try FileManager.default.removeItem(at: build.appendingPathComponent("runtime.txt"))
        try Data([0x80, 0x81, 0x33]).write(to: build.appendingPathComponent("runtime.txt"))
        let binary = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig,
                                              environment: stack.environment)
        XCTAssertEqual(binary.exitCode, 1)
        XCTAssertEqual(binary.stdout, """
             !     runtime.txt is not a text file (it is not valid UTF-8).
             !     Make runtime.txt a text file containing a Python version such as 3.11.

            """)
    }
}
