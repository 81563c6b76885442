import ArgumentParser
import Foundation
import SlugKit

/// What `build` and `test` share: the source, the buildpacks, the cache and the config vars.
struct BuildInputOptions: ParsableArguments {
    @OptionGroup var source: SourceOptions

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

    func validate() throws {
        if let timeout, timeout < 1 { throw ValidationError("--timeout must be at least 1 second.") }
    }

    /// The library's request; config var errors surface here as `CompileError`s.
    func request(output: URL?) throws -> BuildRequest {
        var request = BuildRequest(source: try source.location(), output: output, buildpacksDirectory: try location.resolve())
        request.buildpacks = buildpack
        request.cacheDirectory = cacheDirectory.map { URL(fileURLWithPath: $0) }
        if let envDirectory { try request.configVars.load(directory: URL(fileURLWithPath: envDirectory)) }
        for assignment in configVars { try request.configVars.set(assignment: assignment) }
        request.appDirectory = appDirectory
        request.timeout = timeout.map { .seconds($0) }
        request.maxUnpackedSize = try source.unpackedSizeLimit()
        return request
    }
}
