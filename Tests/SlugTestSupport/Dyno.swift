import Foundation

// Starting a command the way a dyno does (Buildpacks/README.md, "At run time"): HOME and the
// working directory are the app folder, `.profile.d/*.sh` are sourced by bash, then the command
// runs under `bash -c` with PORT set. Tests boot what a buildpack built with these, so a slug
// that only works from its build folder fails here first.

/// Sources the app's `.profile.d/*.sh` from `$HOME`, then hands `$1` to a fresh bash (which
/// execs a single command, so a signal to the process reaches the app itself).
private let dynoBoot = """
    cd "$HOME" || exit 97
    shopt -s nullglob
    for profile in .profile.d/*.sh; do . "$profile"; done
    exec bash -c "$1"
    """

/// Starts `command` in the app folder `app` as a web dyno would, with `PORT` set; `stop()` ends it.
public func startDyno(in app: URL, command: String, port: Int = freePort(),
                      environment: [String: String] = [:]) throws -> RunningApp {
    var env = environment
    env["HOME"] = app.path
    env["PORT"] = String(port)
    return try RunningApp(executable: "/bin/bash", ["-c", dynoBoot, "dyno", command],
                          environment: env, workingDirectory: app, port: port)
}

/// Runs `command` to completion as a one-off dyno in the app folder `app` (no `PORT`: it serves nothing).
public func runInDyno(_ app: URL, command: String, environment: [String: String] = [:]) throws -> CommandResult {
    var env = environment
    env["HOME"] = app.path
    return try runCommand("/bin/bash", ["-c", dynoBoot, "dyno", command], environment: env, workingDirectory: app)
}

/// The `web:` command of an app's Procfile.
public func procfileWebCommand(of app: URL) throws -> String {
    let text = try String(contentsOf: app.appendingPathComponent("Procfile"), encoding: .utf8)
    for line in text.split(separator: "\n") where line.hasPrefix("web:") {
        return line.dropFirst(4).trimmingCharacters(in: .whitespaces)
    }
    throw FixtureError(message: "no web: line in \(app.path)/Procfile")
}

/// A process running in the background (a dyno, or `slugc run`), its stdout and stderr going
/// to one log file: the output can be read while it runs, and a chatty process never blocks on
/// a full pipe. `stop()` ends it.
public final class RunningApp {
    /// The port the process was told to listen on.
    public let port: Int
    /// The process itself (its exit status is read after `stop()`).
    public let process = Process()
    private let logFile: URL

    /// Starts `executable` with this process's environment plus `environment`.
    public init(executable: String, _ arguments: [String], environment: [String: String] = [:],
                workingDirectory: URL? = nil, port: Int) throws {
        self.port = port
        logFile = URL(fileURLWithPath: NSTemporaryDirectory())
            .appendingPathComponent("slugc-app-\(UUID().uuidString.prefix(8)).log")
        guard FileManager.default.createFile(atPath: logFile.path, contents: nil) else {
            throw FixtureError(message: "cannot create the log file \(logFile.path)")
        }
        let log = try FileHandle(forWritingTo: logFile)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let workingDirectory { process.currentDirectoryURL = workingDirectory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(at: logFile)
            throw error
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: logFile)
    }

    /// What the process printed so far (stdout and stderr, interleaved as written).
    public var output: String { finalOutput ?? (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
    /// Kept once the process has stopped, so the log file can go (XCTest keeps test cases,
    /// and so this object, alive until the run ends).
    private var finalOutput: String?

    /// Sends SIGTERM and waits (up to 30 s, a dyno's grace, then SIGKILL); returns what the process printed.
    @discardableResult
    public func stop() -> String {
        if process.isRunning {
            process.terminate()
            // Longer than slugc's own 30 s --grace, after which slugc kills the app and still has
            // to remove the run folder: the extracted slug (a Django slug's ~9,000 files) took over
            // 20 s to remove on this machine's disk while other builds wrote to it. Killing slugc
            // at 30 s would leave the folder that the test then finds.
            let deadline = Date().addingTimeInterval(90)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
        finalOutput = output
        try? FileManager.default.removeItem(at: logFile)
        return finalOutput ?? ""
    }
}
