import Foundation
import SlugTestSupport
import XCTest

/// Python version selection against a stack whose PATH the test controls: the machine's real
/// `python3` (as python3 and python3.X), a fake `python3.7` that only answers the probe, and a
/// fake `python3.12` that fails the way a disabled pyenv shim does.
final class PythonBuildpackVersionTests: XCTestCase {
    var temporary: TemporaryDirectory!
    var stackPath = ""
    /// The real interpreter's version ("3.11.7") and minor ("3.11").
    var real = "", realMinor = ""

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "python-version")
        let probe = try runCommand("/usr/bin/env", ["python3", "-c", "import platform, sys, os; print(platform.python_version()); print(os.path.realpath(sys.executable))"])
        let lines = probe.stdout.split(separator: "\n").map(String.init)
        guard probe.exitCode == 0, lines.count == 2 else { throw XCTSkip("no python3 on this machine") }
        real = lines[0]
        realMinor = lines[0].split(separator: ".").prefix(2).joined(separator: ".")
        let bin = temporary.appending("stack/bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let fm = FileManager.default
        for name in ["python3", "python\(realMinor)"] {
            try fm.createSymbolicLink(atPath: bin.appendingPathComponent(name).path, withDestinationPath: lines[1])
        }
        try writeScript(bin.appendingPathComponent("python3.7"), "#!/bin/sh\necho 3.7.17\necho \"$0\"\n")
        try writeScript(bin.appendingPathComponent("python3.12"), "#!/bin/sh\necho 'pyenv: python3.12: command not found' >&2\nexit 127\n")
        // The few tools compile needs, without the rest of /usr/bin (which may hold other pythons).
        for tool in ["bash", "sh", "cp", "rm", "dirname", "realpath", "env", "cat", "mkdir", "uname"] {
            for folder in ["/usr/bin", "/bin"] where fm.isExecutableFile(atPath: "\(folder)/\(tool)") {
                try? fm.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: "\(folder)/\(tool)")
                break
            }
        }
        stackPath = bin.path
    }

    override func tearDown() { temporary.remove() }

    private func writeScript(_ url: URL, _ text: String) throws {
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }

    /// Compiles python-minimal with `files` written into it, on the controlled stack.
    private func compile(_ files: [String: String]) throws -> (CommandResult, URL) {
        let build = try fixture("python-minimal", in: temporary)
        for (name, text) in files { try Data(text.utf8).write(to: build.appendingPathComponent(name)) }
        let result = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig,
                                              environment: ["PATH": stackPath])
        return (result, build)
    }

    private func venvPythonVersion(_ build: URL) throws -> String {
        let python = build.appendingPathComponent(".heroku/python/bin/python").path
        return try runCommand(python, ["-c", "import platform; print(platform.python_version())"]).stdout
    }

    func testPythonVersionFileWinsOverRuntimeTxt() throws {
        let (result, build) = try compile([".python-version": "\(realMinor)\n", "runtime.txt": "python-3.7.17\n"])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix("""
            -----> Using Python \(real) (.python-version asks for \(realMinor))
                   runtime.txt is ignored: .python-version takes precedence.
            -----> Installing requirements with pip

            """), result.stdout)
        XCTAssertEqual(try venvPythonVersion(build), "\(real)\n")
    }

    func testRuntimeTxtWithAFullVersion() throws {
        let (result, _) = try compile(["runtime.txt": "python-\(real)\n"])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix("-----> Using Python \(real) (runtime.txt asks for \(real))\n-----> Installing"), result.stdout)
    }

    func testNoRequestUsesTheStackDefaultAndSaysSo() throws {
        let (result, _) = try compile([:])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasPrefix("""
            -----> Using Python \(real)
                   No Python version requested: using the stack's default python3.
                   To choose one, add a .python-version file containing e.g. \(realMinor).

            """), result.stdout)
    }

    func testMissingVersionNamesRequestedAndAvailable() throws {
        let (result, build) = try compile([".python-version": "3.12\n"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     Python 3.12 is not available on this stack (.python-version asks for it).
             !     Available Python versions: \(real), 3.7.17.
             !     Change .python-version to one of these versions, or use a stack that has Python 3.12.

            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: build.appendingPathComponent(".heroku").path))
    }

    func testMissingPatchVersionIsAnErrorToo() throws {
        let (result, _) = try compile(["runtime.txt": "python-\(realMinor).999\n"])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.stdout.hasPrefix(" !     Python \(realMinor).999 is not available on this stack (runtime.txt asks for it).\n"), result.stdout)
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
                                                   withDestinationPath: "/nonexistent/runtime.txt")
        let result = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig,
                                              environment: ["PATH": stackPath])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.stdout, """
             !     runtime.txt cannot be read: No such file or directory.
             !     Make runtime.txt a readable text file containing a Python version such as 3.11.

            """)

        try FileManager.default.removeItem(at: build.appendingPathComponent("runtime.txt"))
        try Data([0xff, 0xfe, 0x00, 0x33]).write(to: build.appendingPathComponent("runtime.txt"))
        let binary = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"), configVars: offlinePipConfig,
                                              environment: ["PATH": stackPath])
        XCTAssertEqual(binary.exitCode, 1)
        XCTAssertEqual(binary.stdout, """
             !     runtime.txt is not a text file (it is not valid UTF-8).
             !     Make runtime.txt a text file containing a Python version such as 3.11.

            """)
    }
}
