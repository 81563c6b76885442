import ArgumentParser
import Foundation
import SlugKit

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an app's source into a slug: detect, compile, release, pack.",
        discussion: """
            The source is never modified: it is copied to a temporary folder first (without .git and what .slugignore names). The slug is written to a temporary file and renamed into place only when complete.

            Examples:
              slugc build ./myapp -o myapp.tgz
              slugc build . -o slug.tgz --cache-dir ~/.cache/slugc/myapp --env DEBUG=0
              slugc build repo --app-dir services/api -o api.tgz --json > release.json
              slugc build . -o slug.tgz --buildpack ./bp/nodejs --buildpack python
            """
    )

    @OptionGroup var input: BuildInputOptions

    @OptionGroup var packing: PackingOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        let terminal = Terminal(json: outputOptions.json)
        let renderer = EventRenderer(terminal: terminal)
        do {
            var request = try input.request(output: URL(fileURLWithPath: packing.output))
            request.stack = packing.stack
            request.pack = packing.packOptions()
            let finalRequest = request
            let result = try await SignalWatcher().cancelling {
                try await SlugCompiler().build(finalRequest) { renderer.render($0) }
            }
            terminal.slugWritten(result.release, to: packing.output, json: outputOptions.json)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
    }
}
