import Foundation
import SlugTestSupport
import XCTest

/// A build machine whose Python interpreters a test chooses: PATH holds the tools compile needs
/// and the machine's Debian python3 (which runs the buildpack and is never copied into a slug),
/// and a private pyenv root links only the pyenv versions the test names.
struct PythonTestStack {
    let environment: [String: String]
    let pythons: [MachinePython]

    init(in temporary: TemporaryDirectory, pythons: [MachinePython]) throws {
        let fm = FileManager.default
        let bin = temporary.appending("stack/bin"), versions = temporary.appending("stack/pyenv/versions")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        try fm.createDirectory(at: versions, withIntermediateDirectories: true)
        for tool in ["bash", "sh", "cp", "rm", "dirname", "realpath", "env", "cat", "mkdir", "uname", "strip", "patchelf", "python3"] {
            for folder in ["/usr/bin", "/bin"] where fm.isExecutableFile(atPath: "\(folder)/\(tool)") {
                try fm.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: "\(folder)/\(tool)")
                break
            }
        }
        for python in pythons {
            try fm.createSymbolicLink(atPath: versions.appendingPathComponent(python.version).path, withDestinationPath: python.prefix.path)
        }
        self.pythons = pythons
        environment = ["PATH": bin.path, "PYENV_ROOT": versions.deletingLastPathComponent().path,
                       "HOME": temporary.appending("stack").path]
    }

    /// The Debian python3 that runs the buildpack, as the "not usable" line names it.
    static var distributionPython: String {
        URL(fileURLWithPath: "/usr/bin/python3").resolvingSymlinksInPath().path
    }
}

/// pyenv's newest interpreter of `series`; skips the test on a machine without one (fails in CI,
/// whose machines carry pyenv's interpreters, so a missing one is a broken setup, not a pass).
func requirePyenvPython(_ series: String) throws -> MachinePython {
    if let python = pyenvPythons().first(where: { $0.series == series }) { return python }
    let message = "this test needs a pyenv Python \(series) (none under $PYENV_ROOT/versions or ~/.pyenv/versions)"
    if ProcessInfo.processInfo.environment["CI"] != nil { throw FixtureError(message: message) }
    throw XCTSkip(message)
}

/// The version `.heroku/python/bin/python` of a built app reports.
func installedPythonVersion(_ build: URL) throws -> String {
    let python = build.appendingPathComponent(".heroku/python/bin/python").path
    return try runCommand(python, ["-c", "import platform; print(platform.python_version())"]).stdout
        .trimmingCharacters(in: .whitespacesAndNewlines)
}
