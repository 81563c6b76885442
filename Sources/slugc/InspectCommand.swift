import ArgumentParser
import Foundation
import SlugKit

struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a slug's process types, size, checksum, stack, largest folders, and what would not travel.",
        discussion: """
            Portability lists what points outside the slug: symlinks leaving it, ELF interpreters and RPATH/RUNPATH entries outside /app and the system's library folders, #! lines naming an interpreter outside /bin, /usr/bin, /sbin, /usr/sbin and /app, and files holding a slugc build folder's path.

            Examples:
              slugc inspect myapp.tgz
              slugc inspect myapp.tgz --json | jq .process_types
            """
    )

    @Argument(help: "The slug to inspect.")
    var slug: String

    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        let terminal = Terminal(outputOptions)
        let inspection: SlugInspection
        do { inspection = try SlugInspection.inspect(URL(fileURLWithPath: slug)) } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
        let release = inspection.release
        if outputOptions.json {
            terminal.json(inspection.jsonData())
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
        for line in Self.portabilityLines(inspection.portability) { terminal.log(line) }
    }

    /// Findings shown before the rest is summed up in one line.
    static let shownFindings = 20

    /// The Portability section: every finding as a warning, at most `shownFindings` lines.
    static func portabilityLines(_ findings: [PortabilityFinding]) -> [String] {
        guard !findings.isEmpty else { return ["-----> Portability", "       Nothing in the slug points outside it."] }
        let shown = findings.count <= shownFindings ? findings[...] : findings.prefix(shownFindings - 1)
        var lines = ["-----> Portability: \(findings.count) warning\(findings.count == 1 ? "" : "s")"]
        lines += shown.map { " !     Warning: \($0.warning)" }
        if shown.count < findings.count {
            lines.append(" !     and \(findings.count - shown.count) more (slugc inspect --json lists them all)")
        }
        return lines
    }
}
