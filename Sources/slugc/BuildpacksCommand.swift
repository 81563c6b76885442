import ArgumentParser
import Foundation
import SlugKit

struct BuildpacksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "buildpacks",
        abstract: "List the built-in buildpacks in detection order, with their rules.",
        discussion: """
            Examples:
              slugc buildpacks
              slugc buildpacks --buildpacks-dir ./my-buildpacks --json
            """
    )

    @OptionGroup var location: BuildpackLocationOptions
    @OptionGroup var outputOptions: OutputOptions

    struct Entry: Encodable {
        var id: String
        var name: String
        var path: String
        var detect: [String]
        var processTypes: ProcessTypes
        enum CodingKeys: String, CodingKey { case id, name, path, detect, processTypes = "process_types" }
    }

    func run() async throws {
        let terminal = Terminal(outputOptions)
        let buildpacks: [Buildpack]
        do { buildpacks = try BuildpackCatalog.load(from: try location.resolve()) } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
        let entries = buildpacks.map { buildpack in
            Entry(id: buildpack.id, name: buildpack.name, path: buildpack.directory.path,
                  detect: buildpack.detectionSummary, processTypes: buildpack.defaultProcessTypes)
        }
        if outputOptions.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            terminal.json((try? encoder.encode(entries)) ?? Data("[]".utf8))
            return
        }
        for (index, entry) in entries.enumerated() {
            terminal.log("-----> \(index + 1). \(entry.name) (\(entry.id))")
            for line in entry.detect { terminal.log("       " + line) }
            for (type, command) in entry.processTypes { terminal.log("       default \(type): \(command)") }
        }
    }
}
