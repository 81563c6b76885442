import Foundation

/// Where the package checkout is: test files are at Tests/<target>/<file>.swift.
public let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The built-in buildpacks folder of this checkout.
public var builtInBuildpacks: URL { packageRoot.appendingPathComponent("Buildpacks") }

/// A temporary folder removed when the test's scope ends (call `remove()` in a defer).
public struct TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "slugc-test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
        url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    public func appending(_ path: String) -> URL { url.appendingPathComponent(path) }
}

/// Copies `Fixtures/<name>` into `temporary` (as `<name>`, or as `folderName` so one fixture can
/// be copied several times) and returns the copy, so a test can never change the checked-in
/// fixture. Symlinks are copied as links.
public func fixture(_ name: String, in temporary: TemporaryDirectory, as folderName: String? = nil) throws -> URL {
    let source = packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(name)
    guard FileManager.default.fileExists(atPath: source.path) else {
        throw FixtureError(message: "no fixture named \(name) under Fixtures/")
    }
    let destination = temporary.appending(folderName ?? name)
    let copy = try runCommand("/bin/cp", ["-a", source.path, destination.path])
    guard copy.exitCode == 0 else { throw FixtureError(message: "cp -a of fixture \(name) failed: \(copy.stderr)") }
    return destination
}

/// A test setup step failed; the message says which.
public struct FixtureError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
    public init(message: String) { self.message = message }
}
