import ArgumentParser
import Foundation
import SlugKit

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Boot a process type from a slug, as a dyno would.",
        discussion: """
            The slug is extracted to a temporary folder (HOME), .profile.d/*.sh are sourced, and the process type's command runs under bash with PORT set. SIGINT and SIGTERM are passed on; a process still running --grace seconds later (default 30, as on a dyno) gets SIGKILL, with everything it started. The folder is removed when the process ends. Exits with the process's status.

            With --root DIR the slug boots inside the root filesystem DIR, as on the stack's run image: it appears at /app (HOME and the working folder), chrooted in a private mount and PID namespace, with its own /proc, /dev and /tmp and the host's network. DIR is never modified (runs write to an overlay), so one image serves many runs at once; the mounts and every process go when the run ends. Needs root.

            Examples:
              slugc run myapp.tgz                  the web process on port 5000
              slugc run myapp.tgz worker
              slugc run myapp.tgz web --port 8080 --env DEBUG=1
              slugc run myapp.tgz -- python3 -c 'import flask; print(flask.__version__)'
              slugc run myapp.tgz --root /srv/heroku-24   on a bare run image, as root
            """
    )

    @Argument(help: "The slug to run.")
    var slug: String

    @Argument(help: "The process type to run.")
    var processType: String = "web"

    @Option(help: "The value of PORT.")
    var port: Int = 5000

    @Option(name: .customLong("env"), help: ArgumentHelp("A config var for the process (repeatable).", valueName: "KEY=VALUE"))
    var environment: [String] = []

    @Option(name: .customLong("root"), help: ArgumentHelp("A root filesystem to boot the slug in, at /app (needs root).", valueName: "DIR"))
    var rootFilesystem: String?

    @Option(help: ArgumentHelp("Seconds the process may take to stop after SIGTERM or SIGINT before it gets SIGKILL (a dyno waits 30).",
                               valueName: "SECONDS"))
    var grace: Int = 30

    @Argument(parsing: .postTerminator, help: "A command to run instead of a process type (after --).")
    var command: [String] = []

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be 1 to 65535, not \(port).") }
        guard grace >= 0 else { throw ValidationError("--grace must be 0 seconds or more, not \(grace).") }
        for assignment in environment where !assignment.contains("=") {
            throw ValidationError("--env \(assignment): write it as KEY=VALUE.")
        }
    }

    func run() async throws {
        let terminal = Terminal(json: false)
        var request = RunRequest(slug: URL(fileURLWithPath: slug))
        request.processType = processType
        request.command = command.isEmpty ? nil : command
        request.port = port
        request.rootFilesystem = rootFilesystem.map { URL(fileURLWithPath: $0, isDirectory: true) }
        request.gracePeriod = .seconds(grace)
        for assignment in environment {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            request.environment[String(parts[0])] = String(parts[1])
        }
        let watcher = SignalWatcher()
        request.forwardedSignals = watcher.signals
        let outcome: ChildProcessOutcome
        do {
            outcome = try await SlugRunner().run(request, onStart: { command, _ in
                terminal.error("-----> Running \(command) (PORT=\(port))")
            }, onOutput: { stream, line in
                if stream == .standardError { terminal.error(line) } else { terminal.log(line) }
            })
        } catch {
            throw Failure.report(error, terminal: terminal, json: false)
        }
        withExtendedLifetime(watcher) {}
        if let signal = outcome.killedAfterSignal {
            let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
            terminal.error(" !     The process was still running \(grace) s after \(name), so it and everything it started got SIGKILL, as on a dyno. Make it exit on \(name), or give it longer with --grace SECONDS.")
        }
        if let signal = outcome.signal { throw ExitCode(128 + signal) }
        throw ExitCode(outcome.exitCode ?? 1)
    }
}
