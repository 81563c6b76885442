import ArgumentParser
import Foundation
import SlugKit

struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Say which buildpack would build the app, and why every other would not.",
        discussion: """
            Exits 0 when a buildpack matches, 20 when none does (or a set buildpack does not).

            Examples:
              slugc detect ./myapp
              slugc detect ./myapp --explain     every rule of every buildpack, hints
              slugc detect . --app-dir server --json
              slugc detect . --git-ref main       the commit; where missing files are
              slugc detect app.tgz                a tarball (or -, or an http(s) URL of one)
            """
    )

    @OptionGroup var source: SourceOptions

    @Flag(help: "Show every buildpack's rules with pass/fail and reason, and near-miss hints.")
    var explain = false

    @Option(help: ArgumentHelp("Only ask this buildpack (repeatable).", valueName: "ID|PATH"))
    var buildpack: [String] = []

    @Option(name: .customLong("app-dir"), help: ArgumentHelp("Detect this subfolder of the source.", valueName: "SUBDIR"))
    var appDirectory: String?

    @OptionGroup var location: BuildpackLocationOptions
    @OptionGroup var outputOptions: OutputOptions

    func run() async throws {
        let terminal = Terminal(outputOptions)
        let report: DetectionReport
        do {
            var request = BuildRequest(source: try source.location(), output: nil, buildpacksDirectory: try location.resolve())
            request.buildpacks = buildpack
            request.appDirectory = appDirectory
            request.maxUnpackedSize = try source.unpackedSizeLimit()
            let finalRequest = request
            // As build does: a signal stops the detect scripts and removes the copy (exit 31).
            report = try await SignalWatcher().cancelling { try await SlugCompiler().explain(finalRequest) }
        } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
        let explicit = !buildpack.isEmpty
        let failed = explicit ? report.results.contains { !$0.matched } : report.selected == nil
        if outputOptions.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            terminal.json((try? encoder.encode(report)) ?? Data("{}".utf8))
        } else if explain {
            report.explanationLines().forEach { terminal.log($0) }
        } else if let selected = report.results.first(where: { $0.id == report.selected }), !failed {
            terminal.log("-----> \(selected.framework ?? selected.name) app detected")
            for other in report.alsoMatched {
                terminal.log("       Also matched: \(other.name) (the first in order wins)")
            }
            if let warning = report.requirementWarning {
                terminal.error(" !     Warning: " + warning)
                if !report.hints.isEmpty { terminal.error(" !     Hints:") }
                for hint in report.hints { terminal.error(" !       " + hint) }
            } else {
                // A match through files git would not push: it would fail on Heroku.
                for hint in report.hints { terminal.error(" !     Warning: \(hint)") }
            }
        }
        guard failed else { return }
        let error: DetectError = explicit
            ? .notCompatible(buildpack: report.results.first(where: { !$0.matched })?.id ?? buildpack[0], report: report)
            : .noBuildpackDetected(report)
        if outputOptions.json || explain { throw ExitCode(Failure.exitCode(for: error)) }
        throw Failure.report(error, terminal: terminal, json: false)
    }
}
