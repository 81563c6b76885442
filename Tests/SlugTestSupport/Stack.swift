import Foundation

// What this machine's stack offers buildpack tests: the Swift toolchain, Python packages from
// a local wheelhouse, and the interpreters pyenv keeps (tests never reach a package index or
// the Python buildpack's default runtime index).

/// The local wheelhouse of pure-Python wheels: tests install from it, never from the network.
public var pythonWheelhouse: URL { packageRoot.appendingPathComponent("Fixtures/wheelhouse") }

/// Config vars that make pip install only from the local wheelhouse, and the Python buildpack
/// take its interpreter from the machine (its default runtime index downloads from the internet).
public var offlinePipConfig: [String: String] {
    ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": pythonWheelhouse.path, "PYTHON_RUNTIME_INDEX": "none"]
}

/// A CPython installed in the standard prefix layout, which the Python buildpack can copy into a slug.
public struct MachinePython: Sendable {
    /// "3.11.7"
    public var version: String
    /// "/root/.pyenv/versions/3.11.7"
    public var prefix: URL
    /// "3.11"
    public var series: String { version.split(separator: ".").prefix(2).joined(separator: ".") }
}

/// pyenv's interpreters on this machine ($PYENV_ROOT, else ~/.pyenv), newest first: the ones
/// the Python buildpack finds when the test leaves pyenv visible.
public func pyenvPythons() -> [MachinePython] {
    let environment = ProcessInfo.processInfo.environment
    let root = URL(fileURLWithPath: environment["PYENV_ROOT"] ?? (NSHomeDirectory() + "/.pyenv")).appendingPathComponent("versions")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    let found = names.compactMap { name -> MachinePython? in
        let parts = name.split(separator: ".")
        guard parts.count == 3, parts[0] == "3", parts.allSatisfy({ Int($0) != nil }) else { return nil }
        let prefix = root.appendingPathComponent(name).resolvingSymlinksInPath()
        let series = "\(parts[0]).\(parts[1])"
        guard FileManager.default.fileExists(atPath: prefix.appendingPathComponent("lib/python\(series)/os.py").path),
              FileManager.default.isExecutableFile(atPath: prefix.appendingPathComponent("bin/python\(series)").path) else { return nil }
        return MachinePython(version: name, prefix: prefix)
    }
    return found.sorted { $0.version.split(separator: ".").map { Int($0) ?? 0 }.lexicographicallyPrecedes($1.version.split(separator: ".").map { Int($0) ?? 0 }) }.reversed()
}

/// The Swift version on this machine's PATH ("6.3.1"), for exact expected messages.
public func stackSwiftVersion() throws -> String {
    let result = try runCommand("/usr/bin/env", ["swift", "--version"])
    let text = result.stdout + result.stderr
    guard let range = text.range(of: #"Swift version [0-9]+(\.[0-9]+)*"#, options: .regularExpression) else {
        throw FixtureError(message: "swift --version printed no version: \(text)")
    }
    return String(text[range].dropFirst("Swift version ".count))
}
