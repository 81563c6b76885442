import ArgumentParser
import Foundation
import SlugKit

/// `--json`: exactly one JSON document on stdout, every log line on stderr.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print one JSON document on stdout; logs go to stderr.")
    var json = false

    @OptionGroup var log: LogOptions
}

/// How log lines look: Heroku-style text, or one JSON object per event on stderr.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// `--log-format`, for every command that logs.
struct LogOptions: ParsableArguments {
    @Option(name: .customLong("log-format"),
            help: ArgumentHelp("text, or json: one JSON object per event on stderr (time, stage, buildpack, stream, level, text).",
                               valueName: "FORMAT"))
    var logFormat: LogFormat = .text
}

/// Where the built-in buildpacks are: the flag, then SLUGC_BUILDPACKS, then beside the
/// installed binary, then the package checkout the binary was built in.
struct BuildpackLocationOptions: ParsableArguments {
    @Option(name: .customLong("buildpacks-dir"), help: ArgumentHelp("Folder of built-in buildpacks (with order.yml).", valueName: "DIR"))
    var buildpacksDirectory: String?

    func resolve() throws -> URL {
        if let buildpacksDirectory { return URL(fileURLWithPath: buildpacksDirectory) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["SLUGC_BUILDPACKS"], !fromEnvironment.isEmpty {
            return URL(fileURLWithPath: fromEnvironment)
        }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = binary.deletingLastPathComponent()
        let besideBinary = [folder.appendingPathComponent("Buildpacks"),
                            folder.deletingLastPathComponent().appendingPathComponent("share/slugc/Buildpacks")]
        for candidate in besideBinary where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("order.yml").path) {
            return candidate
        }
        // A development build lives at <checkout>/.build/<triple>/<config>/slugc.
        for _ in 0..<5 {
            folder = folder.deletingLastPathComponent()
            let candidate = folder.appendingPathComponent("Buildpacks")
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("order.yml").path) { return candidate }
        }
        throw ValidationError("cannot find the built-in buildpacks. Pass --buildpacks-dir DIR or set SLUGC_BUILDPACKS to the folder that holds order.yml.")
    }
}

/// How the slug is packed (`build` and `pack`).
struct PackingOptions: ParsableArguments {
    @Option(help: "The stack name: buildpacks see it in STACK, and the release metadata records it.")
    var stack = "heroku-24"

    @Option(help: "Compression level 1 (fastest) to 9 (smallest).")
    var level: Int = 6

    @Flag(name: .customLong("gzip-single-member"), help: "Write one gzip member (for readers that stop after the first).")
    var singleMember = false

    @Option(name: .customLong("max-size"), help: ArgumentHelp("Refuse slugs larger than this (e.g. 500M, 1G).", valueName: "SIZE"))
    var maxSize: String = "500M"

    @Option(name: .customLong("pack-cache-limit"), help: ArgumentHelp("Bound of the compressed blocks kept in --cache-dir (default: \(PackOptions.defaultCacheSlugs) times the slug's size).", valueName: "SIZE"))
    var packCacheLimit: String?

    @Option(help: "Compression threads (default: one per core, at most \(PackOptions.defaultThreadLimit); each adds about 20 MiB).")
    var threads: Int?

    func validate() throws {
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1 to 9, not \(level).") }
        guard ByteCount.parse(maxSize) != nil else { throw ValidationError("--max-size \(maxSize): not a size; write e.g. 500M or 1G.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1.") }
        if let packCacheLimit, ByteCount.parse(packCacheLimit) == nil {
            throw ValidationError("--pack-cache-limit \(packCacheLimit): not a size; write e.g. 300M or 2G.")
        }
    }

    func packOptions() -> PackOptions {
        var options = PackOptions()
        options.level = level
        options.singleMember = singleMember
        options.maxSize = ByteCount.parse(maxSize)
        options.threads = threads
        options.cacheLimit = packCacheLimit.flatMap(ByteCount.parse)
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = Int64(epoch) {
            options.sourceDateEpoch = seconds
        }
        return options
    }
}

extension Terminal {
    /// The last word of `build` and `pack`: the release JSON with --json, else a summary.
    /// `output` is the slug's path, "standard output" or "the upload URL"; a build's `durations`
    /// go into the JSON and close the summary with `Built in …`.
    func slugWritten(_ release: ReleaseMetadata, to output: String, json: Bool, durations: BuildDurations? = nil) {
        if json {
            self.json(durations.map { BuildResult.jsonData(release: release, durations: $0) } ?? release.jsonData())
            return
        }
        let types = release.processTypes.types
        log("-----> Slug written to \(output)")
        log("       Process types: \(types.isEmpty ? "(none)" : types.joined(separator: ", "))")
        log("       Size: \(ByteCount.format(release.size ?? 0)), checksum \(release.checksum ?? "-")")
        if let durations { log("       " + durations.summary) }
    }
}
