import Foundation

// What this machine's stack offers buildpack tests: the Swift toolchain, and Python packages
// from a local wheelhouse (tests never reach a package index).

/// The local wheelhouse of pure-Python wheels: tests install from it, never from the network.
public var pythonWheelhouse: URL { packageRoot.appendingPathComponent("Fixtures/wheelhouse") }

/// Config vars that make pip install only from the local wheelhouse.
public var offlinePipConfig: [String: String] {
    ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": pythonWheelhouse.path]
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
