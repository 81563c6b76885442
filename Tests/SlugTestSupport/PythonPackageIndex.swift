import Foundation

// What the Python buildpack's lock-file tests need offline: the package index the uv, Poetry
// and Pipenv fixtures were locked against, and the wheels of the tools the buildpack installs.

/// `Tests/python-index/serve.py` serving Fixtures/wheelhouse at http://127.0.0.1:47130/simple/,
/// the index the fixtures' lock files name (so the port is fixed). Stop it when the test ends.
public final class LocalPackageIndex {
    public static let port = 47130
    private let process: RunningApp?

    /// Starts the index, or uses the one already answering on its port (another test's).
    public init() throws {
        if Self.answers() {
            process = nil
            return
        }
        let script = packageRoot.appendingPathComponent("Tests/python-index/serve.py").path
        let started = try RunningApp(executable: "/usr/bin/env", ["python3", script, "--wheels", pythonWheelhouse.path, "--port", String(Self.port)],
                                     port: Self.port)
        process = started
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if Self.answers() { return }
            usleep(50_000)
        }
        throw FixtureError(message: "the local package index did not start on port \(Self.port): \(started.stop())")
    }

    private static func answers() -> Bool {
        (try? httpGet(port: port, path: "/simple/flask/"))?.status == 200
    }

    deinit { process?.stop() }

    public func stop() { process?.stop() }
}

/// The wheels of uv, Poetry, Pipenv and their dependencies: `$SLUGC_TEST_TOOL_WHEELS`, which
/// `.ci/run` fills with `pip download`, else /var/tmp/slugc-tool-wheels. Throws when it is missing.
public func pythonToolWheels() throws -> URL {
    let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment["SLUGC_TEST_TOOL_WHEELS"] ?? "/var/tmp/slugc-tool-wheels")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    for tool in ["uv-", "poetry-", "pipenv-"] where !names.contains(where: { $0.hasPrefix(tool) && $0.hasSuffix(".whl") }) {
        throw FixtureError(message: "no \(tool)*.whl in \(folder.path): run .ci/run's `pip download` line, or set SLUGC_TEST_TOOL_WHEELS")
    }
    return folder
}

/// Config vars for a lock-file app: pip (which installs the tools, and Pipenv's packages) finds
/// everything in the wheelhouse and the tool wheels, never on an index; the interpreter comes
/// from the machine.
public func offlineLockConfig() throws -> [String: String] {
    ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "\(pythonWheelhouse.path) \(try pythonToolWheels().path)", "PYTHON_RUNTIME_INDEX": "none"]
}
