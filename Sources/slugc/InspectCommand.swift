import ArgumentParser
import Foundation
import SlugKit

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a slug's process types, size, checksum, stack and largest folders.",
        discussion: """
            Examples:
              slugc inspect myapp.tgz
              slugc inspect myapp.tgz --json | jq .process_types
            """
    )

    @Argument(help: "The slug to inspect.")
    var slug: String

    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        let terminal = Terminal(json: outputOptions.json)
        let inspection: SlugInspection
        do { inspection = try SlugInspection.inspect(URL(fileURLWithPath: slug)) } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
        let release = inspection.release
        if outputOptions.json {
            terminal.json(release.jsonData())
            return
        }
        terminal.log("-----> \(slug)")
        terminal.log("       Size: \(ByteCount.format(release.size ?? 0)) (\(ByteCount.format(inspection.uncompressedSize)) unpacked)")
        terminal.log("       Checksum: \(release.checksum ?? "-")")
        terminal.log("       Stack: \(release.stack.name)")
        if let description = release.buildpackProvidedDescription { terminal.log("       Built by: \(description) (\(release.buildpacks.joined(separator: ", ")))") }
        terminal.log("-----> Process types")
        if release.processTypes.isEmpty { terminal.log("       (none)") }
        for (type, command) in release.processTypes { terminal.log("       \(type): \(command)") }
        terminal.log("-----> Largest folders")
        for folder in inspection.largestFolders.prefix(5) {
            terminal.log("       \(ByteCount.format(folder.bytes).padding(toLength: 8, withPad: " ", startingAt: 0)) \(folder.path)")
        }
        for warning in release.warnings { terminal.log(" !     Warning: \(warning)") }
    }
}
