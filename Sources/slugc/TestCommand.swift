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
              slugc test . --git-ref main          the committed tree, not the working tree
            """
    )

    @OptionGroup var input: BuildInputOptions
    @OptionGroup var log: LogOptions

    func run() async throws {
        let terminal = Terminal(json: false, logFormat: log.logFormat)
        let renderer = EventRenderer(terminal: terminal)
        let outcome: ChildProcessOutcome
        do {
            let request = try input.request(output: nil)
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
            terminal.error(" !     bin/test timed out after \(input.timeout ?? 0)s and was stopped. Raise --timeout or make the tests faster.")
            throw ExitCode(31)
        }
        terminal.error(" !     Tests failed: bin/test \(outcome.summary)")
        if let signal = outcome.signal { throw ExitCode(128 + signal) }
        throw ExitCode(outcome.exitCode ?? 1)
    }
}
