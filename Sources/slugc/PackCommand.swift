import ArgumentParser
import Foundation
import SlugKit

struct PackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack an already-built folder as a slug (no buildpacks run).",
        discussion: """
            Process types come from the folder's Procfile; .git and what .slugignore names are left out; the folder itself is not changed.

            Examples:
              slugc pack ./build -o app.tgz
              slugc pack ./build -o app.tgz --level 1 --json
              slugc pack ./build -o app.tgz --cache-dir ~/.cache/slugc/myapp
              SOURCE_DATE_EPOCH=1700000000 slugc pack build -o app.tgz --level 9
            """
    )

    @Argument(help: "The folder to pack; it becomes ./app/ in the slug.")
    var directory: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the slug.", valueName: "SLUG.tgz"))
    var output: String

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("Keep compressed blocks here and reuse those of unchanged files in the next pack (the slug's bytes stay the same).", valueName: "DIR"))
    var cacheDirectory: String?

    @OptionGroup var packing: PackingOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        let terminal = Terminal(outputOptions)
        let renderer = EventRenderer(terminal: terminal)
        let (directory, output, options, stack) = (URL(fileURLWithPath: directory), URL(fileURLWithPath: output),
                                                    packing.packOptions(), packing.stack)
        do {
            var options = options
            options.cacheDirectory = cacheDirectory.map { URL(fileURLWithPath: $0) }
            let packOptions = options
            // SIGINT and SIGTERM cancel the pack: no slug, no temporary file, exit 31.
            let release = try await SignalWatcher().cancelling {
                try SlugCompiler().pack(directory: directory, to: output, options: packOptions, stack: stack) { renderer.render($0) }
            }
            terminal.slugWritten(release, to: self.output, json: outputOptions.json)
        } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
    }
}
