import ArgumentParser
import Foundation
import SlugKit

struct TestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the app's tests with Heroku's testpack API (bin/test-compile, then bin/test).",
        discussion: """
            Exits with the tests' own status; build problems use slugc's usual codes.

            Examples:
              slugc test ./myapp
              slugc test . --buildpack ./buildpacks/python-testpack --env CI=true
            """
    )

    @Argument(help: "The app's source folder.")
    var source: String = "."

    @Option(help: ArgumentHelp("Use this buildpack (repeatable, in order).", valueName: "ID|PATH"))
    var buildpack: [String] = []

    @OptionGroup var location: BuildpackLocationOptions

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("Keep buildpack caches here between runs.", valueName: "DIR"))
    var cacheDirectory: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("A config var (repeatable).", valueName: "KEY=VALUE"))
    var configVars: [String] = []

    @Option(name: .customLong("env-dir"), help: ArgumentHelp("A folder with one file per config var.", valueName: "DIR"))
    var envDirectory: String?

    @Option(name: .customLong("app-dir"), help: ArgumentHelp("Test this subfolder of the source.", valueName: "SUBDIR"))
    var appDirectory: String?

    @Option(help: ArgumentHelp("Stop a script that runs longer than this.", valueName: "SECONDS"))
    var timeout: Int?

    func run() async throws {
        let terminal = Terminal(json: false)
        let renderer = EventRenderer(terminal: terminal)
        let outcome: ChildProcessOutcome
        do {
            var request = BuildRequest(source: URL(fileURLWithPath: source), output: URL(fileURLWithPath: "/dev/null"),
                                       buildpacksDirectory: try location.resolve())
            request.buildpacks = buildpack
            request.cacheDirectory = cacheDirectory.map { URL(fileURLWithPath: $0) }
            if let envDirectory { try request.configVars.load(directory: URL(fileURLWithPath: envDirectory)) }
            for assignment in configVars { try request.configVars.set(assignment: assignment) }
            request.appDirectory = appDirectory
            request.timeout = timeout.map { .seconds($0) }
            let finalRequest = request
            outcome = try await SignalWatcher().cancelling {
                try await SlugCompiler().test(finalRequest) { renderer.render($0) }
            }
        } catch {
            throw Failure.report(error, terminal: terminal, json: false)
        }
        if outcome.succeeded {
            terminal.log("-----> Tests passed")
            return
        }
        if outcome.timedOut {
            terminal.error(" !     bin/test timed out after \(timeout ?? 0)s and was stopped. Raise --timeout or make the tests faster.")
            throw ExitCode(31)
        }
        terminal.error(" !     Tests failed: bin/test \(outcome.summary)")
        if let signal = outcome.signal { throw ExitCode(128 + signal) }
        throw ExitCode(outcome.exitCode ?? 1)
    }
}
