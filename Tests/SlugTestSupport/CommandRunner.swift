import Foundation

/// The result of running a command to completion.
public struct CommandResult {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String

    /// stdout then stderr: what a user reads in a build log.
    public var output: String { stdout + stderr }
    /// Whether the command exited with status 0.
    public var succeeded: Bool { exitCode == 0 }
}

/// Runs a program to completion with extra environment variables, collecting its output.
@discardableResult
public func runCommand(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                       workingDirectory: URL? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let workingDirectory { process.currentDirectoryURL = workingDirectory }
    let outPipe = Pipe(), errPipe = Pipe()
    process.standardOutput = outPipe
    process.standardError = errPipe
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes concurrently so a chatty child cannot block on a full pipe.
    let errorReader = BackgroundRead { errPipe.fileHandleForReading.readDataToEndOfFile() }
    let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
    let errData = errorReader.wait()
    process.waitUntilExit()
    return CommandResult(exitCode: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData, as: UTF8.self))
}

/// The `slugc` executable built beside the test bundle.
public var slugcExecutable: URL {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
    var directory = testBinary.deletingLastPathComponent()
    // On Linux the test runner is `<products>/slugcPackageTests.xctest`; elsewhere a bundle deeper down.
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("slugc")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: ".build/debug/slugc")
}

/// Runs the built `slugc` with `arguments`; the built-in buildpacks of this checkout are used.
@discardableResult
public func slugc(_ arguments: [String], environment: [String: String] = [:], workingDirectory: URL? = nil) throws -> CommandResult {
    var env = environment
    if env["SLUGC_BUILDPACKS"] == nil { env["SLUGC_BUILDPACKS"] = builtInBuildpacks.path }
    return try runCommand(slugcExecutable.path, arguments, environment: env, workingDirectory: workingDirectory)
}

/// Starts `slugc run SLUG TYPE --port N` in the background (stop it with `stop()`, wait for it
/// with `waitForHTTP()`), with TMPDIR set so a test can check the run folder is removed
/// afterwards. With `rootFilesystem` (e.g. `try runImage()`) the slug boots at /app inside it
/// (`--root`), which proves it needs nothing from this machine: no python, no compilers.
public func startSlugcRun(_ slug: URL, type: String = "web", port: Int = freePort(), temporaryDirectory: URL,
                          rootFilesystem: URL? = nil, extraArguments: [String] = []) throws -> RunningApp {
    let root = rootFilesystem.map { ["--root", $0.path] } ?? []
    return try RunningApp(executable: slugcExecutable.path, ["run", slug.path, type, "--port", String(port)] + root + extraArguments,
                          environment: ["TMPDIR": temporaryDirectory.path], port: port)
}

/// A value computed on its own thread; `wait()` returns it (reads a pipe while another is drained).
private final class BackgroundRead<Value>: @unchecked Sendable {
    private var value: Value?
    private let done = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () -> Value) {
        DispatchQueue.global().async {
            self.value = body()
            self.done.signal()
        }
    }

    func wait() -> Value {
        done.wait()
        guard let value else { preconditionFailure("the reader finished without a value") }
        return value
    }
}
