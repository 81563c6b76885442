import Foundation

/// Extracts a slug with the system's `tar` into a new folder inside `temporary`, so tests
/// check slugs with a reader other than slugc's own.
public func extractWithSystemTar(_ slug: URL, in temporary: TemporaryDirectory) throws -> URL {
    let destination = temporary.appending("extracted-\(UUID().uuidString.prefix(6))")
    try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
    let result = try runCommand("/bin/tar", ["-xzf", slug.path, "-C", destination.path])
    guard result.exitCode == 0 else { throw FixtureError(message: "tar -xzf \(slug.path) failed: \(result.stderr)") }
    return destination.appendingPathComponent("app")
}

/// The sorted entry names of a slug as `tar -tzf` lists them.
public func tarListing(_ slug: URL) throws -> [String] {
    let result = try runCommand("/bin/tar", ["-tzf", slug.path])
    guard result.exitCode == 0 else { throw FixtureError(message: "tar -tzf \(slug.path) failed: \(result.stderr)") }
    return result.stdout.split(separator: "\n").map(String.init).sorted()
}

/// A text file's contents, or nil.
public func readText(_ url: URL) -> String? {
    try? String(contentsOf: url, encoding: .utf8)
}

/// Every file path under `directory` (relative), with a digest of type, mode and contents, for
/// "the source is byte-for-byte unchanged" checks.
public func treeSnapshot(_ directory: URL) throws -> [String: String] {
    var snapshot: [String: String] = [:]
    let result = try runCommand("/usr/bin/find", [directory.path, "-printf", "%P\t%y\t%m\t%l\t%s\t%T@\n"])
    for line in result.stdout.split(separator: "\n") {
        let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
        guard fields.count == 2 else { continue }
        var value = fields[1]
        let path = directory.appendingPathComponent(fields[0])
        if fields[1].hasPrefix("f"), let data = FileManager.default.contents(atPath: path.path) {
            value += "\t" + String(data.hashValue)
        }
        snapshot[fields[0]] = value
    }
    return snapshot
}
