import Foundation

/// The local wheelhouse of pure-Python wheels: tests install from it, never from the network.
public var pythonWheelhouse: URL { packageRoot.appendingPathComponent("Fixtures/wheelhouse") }

/// A config-var folder (ENV_DIR) holding `variables`, one file per variable as Heroku writes it.
public func makeEnvDirectory(_ variables: [String: String], in temporary: TemporaryDirectory, name: String = "env") throws -> URL {
    let directory = temporary.appending(name)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for (key, value) in variables {
        try Data(value.utf8).write(to: directory.appendingPathComponent(key))
    }
    return directory
}

/// Config vars that make pip install only from the local wheelhouse.
public var offlinePipConfig: [String: String] {
    ["PIP_NO_INDEX": "1", "PIP_FIND_LINKS": pythonWheelhouse.path]
}

/// Runs a built-in buildpack's `bin/compile BUILD CACHE ENV` directly, with Heroku's API.
@discardableResult
public func compileWithBuildpack(_ id: String, build: URL, cache: URL, env: URL,
                                 environment: [String: String] = [:]) throws -> CommandResult {
    let compile = builtInBuildpacks.appendingPathComponent(id).appendingPathComponent("bin/compile")
    return try runCommand(compile.path, [build.path, cache.path, env.path], environment: environment)
}

/// A running app process started the way a dyno starts one; `stop()` ends it.
public final class RunningApp {
    public let process: Process
    public let port: Int
    private let output: Pipe

    init(process: Process, port: Int, output: Pipe) {
        self.process = process
        self.port = port
        self.output = output
    }

    /// Sends SIGTERM, waits for the exit, and returns what the app printed.
    @discardableResult
    public func stop() -> String {
        if process.isRunning { process.terminate() }
        return waitForExit()
    }

    /// Waits for a command that ends by itself; returns what it printed.
    public func waitForExit() -> String {
        process.waitUntilExit()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Starts `command` in `appDirectory` as a dyno would: HOME and the working directory are the app,
/// `.profile.d/*.sh` are sourced by bash, `PORT` is set, the command runs under `bash -c`.
public func bootApp(in appDirectory: URL, command: String, port: Int = freePort(),
                    environment: [String: String] = [:]) throws -> RunningApp {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    let script = """
        cd "$HOME" || exit 97
        for profile in .profile.d/*.sh; do [ -f "$profile" ] && . "$profile"; done
        exec bash -c "$1"
        """
    process.arguments = ["-c", script, "dyno", command]
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    env["HOME"] = appDirectory.path
    env["PORT"] = String(port)
    process.environment = env
    process.currentDirectoryURL = appDirectory
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return RunningApp(process: process, port: port, output: output)
}

/// The `web:` command of an app's Procfile.
public func procfileWebCommand(of appDirectory: URL) throws -> String {
    let text = try String(contentsOf: appDirectory.appendingPathComponent("Procfile"), encoding: .utf8)
    for line in text.split(separator: "\n") where line.hasPrefix("web:") {
        return line.dropFirst(4).trimmingCharacters(in: .whitespaces)
    }
    throw FixtureError(message: "no web: line in \(appDirectory.path)/Procfile")
}

/// Files under `directory` whose contents (or symlink targets) contain `needle` — used to prove
/// a built app holds no build-directory path.
public func filesContaining(_ needle: String, under directory: URL) throws -> [String] {
    let result = try runCommand("/usr/bin/env", ["grep", "-rlF", "--", needle, directory.path])
    guard result.exitCode <= 1 else { throw FixtureError(message: "grep failed: \(result.stderr)") }
    var found = result.stdout.split(separator: "\n").map(String.init)
    let links = try runCommand("/usr/bin/env", ["find", directory.path, "-type", "l", "-lname", "*\(needle)*"])
    found += links.stdout.split(separator: "\n").map(String.init)
    return found
}

/// Starts `slugc run SLUG TYPE --port N` in the background (stop it with `stop()`), with
/// TMPDIR set so a test can check the run folder is removed afterwards.
public func startSlugcRun(_ slug: URL, type: String = "web", port: Int = freePort(), temporaryDirectory: URL,
                          extraArguments: [String] = []) throws -> RunningApp {
    let process = Process()
    process.executableURL = slugcExecutable
    process.arguments = ["run", slug.path, type, "--port", String(port)] + extraArguments
    var environment = ProcessInfo.processInfo.environment
    environment["TMPDIR"] = temporaryDirectory.path
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return RunningApp(process: process, port: port, output: output)
}
