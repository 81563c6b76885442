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
        do {
            var options = packing.packOptions()
            options.cacheDirectory = cacheDirectory.map { URL(fileURLWithPath: $0) }
            let release = try SlugCompiler().pack(directory: URL(fileURLWithPath: directory), to: URL(fileURLWithPath: output),
                                                  options: options, stack: packing.stack) { renderer.render($0) }
            terminal.slugWritten(release, to: output, json: outputOptions.json)
        } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
    }
}
