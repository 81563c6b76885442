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

/// Paths of every file and symlink under `directory`, relative to it and sorted.
public func relativeFileListing(_ directory: URL) -> [String] {
    let root = directory.resolvingSymlinksInPath().path
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var paths: [String] = []
    while let path = walker.nextObject() as? String {
        var isDirectory: ObjCBool = false
        let full = root + "/" + path
        let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil
        if isLink || (FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) && !isDirectory.boolValue) {
            paths.append(path)
        }
    }
    return paths.sorted()
}

/// Files under `directory` whose bytes (or symlink targets) contain `needle`, relative to it and
/// sorted: used to prove a built app holds no build-directory path.
public func filesContaining(_ needle: String, under directory: URL) throws -> [String] {
    let contents = try runCommand("/usr/bin/env", ["grep", "-rlF", "--", needle, directory.path])
    guard contents.exitCode <= 1 else { throw FixtureError(message: "grep failed: \(contents.stderr)") }
    let links = try runCommand("/usr/bin/env", ["find", directory.path, "-type", "l", "-lname", "*\(needle)*"])
    guard links.exitCode == 0 else { throw FixtureError(message: "find failed: \(links.stderr)") }
    let prefix = directory.path + "/"
    return (contents.stdout + links.stdout).split(separator: "\n")
        .map { $0.hasPrefix(prefix) ? String($0.dropFirst(prefix.count)) : String($0) }
        .sorted()
}
