import Foundation

// Running one buildpack through Heroku's classic API without the pipeline, and booting what it
// built the way a dyno does: enough to test a buildpack on its own.

/// What one `bin/compile` run left: the build folder (the slug-to-be) and its output.
public struct BuildpackCompile {
    public var buildDirectory: URL
    public var result: CommandResult
    /// stdout then stderr: what a user reads in the build log.
    public var output: String { result.stdout + result.stderr }
    public var succeeded: Bool { result.exitCode == 0 }
}

/// Runs `<buildpack>/bin/compile BUILD_DIR CACHE_DIR ENV_DIR`, writing `configVars` into a fresh
/// ENV_DIR (one file per variable, as Heroku does) that is removed afterwards.
public func compileWithBuildpack(_ buildpack: URL, buildDirectory: URL, cacheDirectory: URL,
                                 configVars: [String: String] = [:],
                                 environment: [String: String] = [:]) throws -> BuildpackCompile {
    let envDirectory = try TemporaryDirectory(prefix: "slugc-env")
    defer { envDirectory.remove() }
    for (key, value) in configVars {
        try Data(value.utf8).write(to: envDirectory.appending(key))
    }
    let result = try runCommand(buildpack.appendingPathComponent("bin/compile").path,
                                [buildDirectory.path, cacheDirectory.path, envDirectory.url.path],
                                environment: environment, workingDirectory: buildDirectory)
    return BuildpackCompile(buildDirectory: buildDirectory, result: result)
}

/// Runs `<buildpack>/bin/release BUILD_DIR` and returns its stdout (the release YAML).
public func releaseWithBuildpack(_ buildpack: URL, buildDirectory: URL) throws -> String {
    let result = try runCommand(buildpack.appendingPathComponent("bin/release").path, [buildDirectory.path])
    guard result.exitCode == 0 else {
        throw FixtureError(message: "bin/release exited \(result.exitCode): \(result.stderr)")
    }
    return result.stdout
}

/// Sources `.profile.d/*.sh` with `HOME` the app folder, then hands `command` to a fresh bash:
/// the way a dyno starts a process.
private let dynoBoot = #"cd "$HOME" && shopt -s nullglob; for f in "$HOME"/.profile.d/*.sh; do . "$f"; done; exec bash -c "$1""#

/// Runs `command` to completion as a one-off dyno in the app folder `directory`.
public func runInDyno(_ directory: URL, command: String, environment: [String: String] = [:]) throws -> CommandResult {
    var env = environment
    env["HOME"] = directory.path
    return try runCommand("/bin/bash", ["-c", dynoBoot, "dyno", command], environment: env, workingDirectory: directory)
}

/// A long-running process booted like a web dyno with `PORT` set; `stop()` ends it.
public final class DynoProcess {
    private let process = Process()
    private let log: URL

    public init(directory: URL, command: String, port: Int, environment: [String: String] = [:]) throws {
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        env["HOME"] = directory.path
        env["PORT"] = String(port)
        log = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("slugc-dyno-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", dynoBoot, "dyno", command]
        process.environment = env
        process.currentDirectoryURL = directory
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// What the process printed so far.
    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Terminates the process (bash exec'd into the command, so the signal reaches it) and waits.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: log)
    }
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

/// Copies `Fixtures/<name>` to `destination` (which must not exist yet), keeping symlinks as
/// links, so several copies of one fixture can live in one temporary folder.
@discardableResult
public func copyFixture(_ name: String, to destination: URL) throws -> URL {
    let source = packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(name)
    let copy = try runCommand("/bin/cp", ["-a", source.path, destination.path])
    guard copy.exitCode == 0 else { throw FixtureError(message: "cp -a of fixture \(name) failed: \(copy.stderr)") }
    return destination
}
