import ArgumentParser
import Foundation
import SlugKit

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an app's source into a slug: detect, compile, release, pack.",
        discussion: """
            The source is never modified: it is copied to a temporary folder first (without .git
            and what .slugignore names). The slug is written to a temporary file and renamed into
            place only when complete.

            Examples:
              slugc build ./myapp -o myapp.tgz
              slugc build . -o slug.tgz --cache-dir ~/.cache/slugc/myapp --env DEBUG=0
              slugc build monorepo --app-dir services/api -o api.tgz --json > release.json
              slugc build . -o slug.tgz --buildpack ./vendor/buildpacks/nodejs --buildpack python
            """
    )

    @Argument(help: "The app's source folder.")
    var source: String = "."

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the slug.", valueName: "SLUG.tgz"))
    var output: String

    @Option(help: ArgumentHelp("Use this buildpack (built-in id, folder, or .tgz); repeat to run several in order.", valueName: "ID|PATH"))
    var buildpack: [String] = []

    @OptionGroup var location: BuildpackLocationOptions

    @Option(name: .customLong("cache-dir"), help: ArgumentHelp("Keep buildpack caches here between builds.", valueName: "DIR"))
    var cacheDirectory: String?

    @Option(name: .customLong("env"), help: ArgumentHelp("A config var for the buildpacks (repeatable).", valueName: "KEY=VALUE"))
    var configVars: [String] = []

    @Option(name: .customLong("env-dir"), help: ArgumentHelp("A folder with one file per config var.", valueName: "DIR"))
    var envDirectory: String?

    @Option(name: .customLong("app-dir"), help: ArgumentHelp("Build this subfolder of the source (monorepos).", valueName: "SUBDIR"))
    var appDirectory: String?

    @Option(help: ArgumentHelp("Stop a buildpack script that runs longer than this.", valueName: "SECONDS"))
    var timeout: Int?

    @Option(help: "The stack name buildpacks see in STACK.")
    var stack = "heroku-24"

    @OptionGroup var packing: PackingOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if let timeout, timeout < 1 { throw ValidationError("--timeout must be at least 1 second.") }
    }

    func run() async throws {
        let terminal = Terminal(json: outputOptions.json)
        let renderer = EventRenderer(terminal: terminal)
        do {
            var request = BuildRequest(source: URL(fileURLWithPath: source), output: URL(fileURLWithPath: output),
                                       buildpacksDirectory: try location.resolve())
            request.buildpacks = buildpack
            request.cacheDirectory = cacheDirectory.map { URL(fileURLWithPath: $0) }
            if let envDirectory { try request.configVars.load(directory: URL(fileURLWithPath: envDirectory)) }
            for assignment in configVars { try request.configVars.set(assignment: assignment) }
            request.appDirectory = appDirectory
            request.timeout = timeout.map { .seconds($0) }
            request.stack = stack
            request.pack = packing.packOptions()
            let finalRequest = request
            let result = try await SignalWatcher().cancelling {
                try await SlugCompiler().build(finalRequest) { renderer.render($0) }
            }
            if outputOptions.json {
                terminal.json(result.release.jsonData())
            } else {
                let types = result.release.processTypes.types
                terminal.log("-----> Slug written to \(output)")
                terminal.log("       Process types: \(types.isEmpty ? "(none)" : types.joined(separator: ", "))")
                terminal.log("       Size: \(ByteCount.format(result.release.size ?? 0)), checksum \(result.release.checksum ?? "-")")
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
    }
}
