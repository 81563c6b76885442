import Foundation

/// What to run from a slug: a process type (default `web`) or an explicit command.
public struct RunRequest: Sendable {
    public var slug: URL
    public var processType: String = "web"
    /// A command given after `--`, run instead of a process type.
    public var command: [String]?
    public var port: Int = 5000
    /// Extra variables (config vars) for the process.
    public var environment: [String: String] = [:]
    /// The environment the process starts from; `HOME`, `PORT` and `PWD` are set on top.
    public var baseEnvironment: [String: String] = BuildRequest.defaultBaseEnvironment()
    public var temporaryDirectory = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
    /// Signals to pass on to the process group (the CLI forwards SIGINT and SIGTERM).
    public var forwardedSignals: AsyncStream<Int32>?
    /// How long the process may take to stop after a forwarded SIGTERM or SIGINT before it and
    /// everything it started get SIGKILL: 30 s, as on a dyno.
    public var gracePeriod: Duration = .seconds(30)
    /// A root filesystem to boot the slug in, as on the stack's run image (`slugc run --root`):
    /// the slug appears at `/app`, chrooted in private mount and PID namespaces, and PATH is the
    /// dyno's unless `environment` sets it. The folder is never modified. Needs root. Nil runs
    /// the slug on this machine.
    public var rootFilesystem: URL?

    public init(slug: URL) { self.slug = slug }
}

/// Boots a process from a slug the way a dyno does: extract to a temporary folder (`HOME`), or
/// to `/app` inside a root filesystem, source `.profile.d/*.sh` and `.profile`, run the command
/// under bash with `PORT` set, and remove the folder (and any mounts) when it ends.
public struct SlugRunner: Sendable {
    public init() {}

    /// Runs to completion. `onStart` gets the command and the app folder before it starts.
    public func run(_ request: RunRequest, onStart: @Sendable (String, URL) -> Void = { _, _ in },
                    onOutput: @escaping @Sendable (OutputStream, String) -> Void) async throws -> ChildProcessOutcome {
        try SourceError.checkSlugExists(request.slug)
        // Before anything is extracted: a wrong --root or a machine without namespaces costs nothing.
        var rootFilesystem: RootFilesystem?
        if let folder = request.rootFilesystem {
            rootFilesystem = try await RootFilesystem.check(folder, environment: request.baseEnvironment)
        }
        // Locked while the run lasts; folders of killed runs (their locks free) are swept first.
        let folder = try RunFolder(in: request.temporaryDirectory)
        let root = folder.url
        // Mounts made for --root live in the run's own namespace and are gone with it, so by
        // now nothing is mounted under this folder in ours.
        defer { folder.remove() }
        let app = root.appendingPathComponent("app", isDirectory: true)
        try? FileManager.default.createDirectory(at: app, withIntermediateDirectories: true)
        try SlugReader.extract(request.slug, into: app)

        let command = try resolveCommand(request, app: app)
        onStart(command, app)
        var environment = request.baseEnvironment
        if rootFilesystem != nil { environment["PATH"] = RootFilesystem.dynoPath }
        environment.merge(request.environment) { _, new in new }
        let home = rootFilesystem == nil ? app.path : "/app"
        environment["HOME"] = home
        environment["PWD"] = home
        environment["PORT"] = String(request.port)
        guard let rootFilesystem else {
            var process = ChildProcess(executable: "/bin/bash", arguments: ["-c", Self.dynoBoot, "slugc-run", command],
                                       environment: environment, workingDirectory: app)
            process.forwardedSignals = request.forwardedSignals
            process.signalGracePeriod = request.gracePeriod
            return try await process.run(onLine: onOutput)
        }
        return try await rootFilesystem.run(command: command, boot: Self.dynoBoot, runFolder: root, environment: environment,
                                            signals: request.forwardedSignals, gracePeriod: request.gracePeriod, onOutput: onOutput)
    }

    /// Sourced like a dyno does, then the command is handed to a fresh `bash -c` as one
    /// argument, so its quoting, `&&` and `;` mean what they say (no eval of pasted strings).
    static let dynoBoot = #"shopt -s nullglob; for f in "$HOME"/.profile.d/*.sh; do . "$f"; done; if [ -f "$HOME/.profile" ]; then . "$HOME/.profile"; fi; exec bash -c "$1""#

    private func resolveCommand(_ request: RunRequest, app: URL) throws -> String {
        if let command = request.command, !command.isEmpty {
            return command.map(Self.shellQuoted).joined(separator: " ")
        }
        let release = try RunError.readRelease(in: app, slug: request.slug.path)
        guard let command = release.processTypes[request.processType] else {
            throw RunError.unknownProcessType(type: request.processType, available: release.processTypes.types, slug: request.slug.path)
        }
        return command
    }

    /// Quotes one argument for bash: plain words stay as they are.
    static func shellQuoted(_ word: String) -> String {
        let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,@%+")
        if !word.isEmpty, word.unicodeScalars.allSatisfy({ plain.contains($0) }) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
