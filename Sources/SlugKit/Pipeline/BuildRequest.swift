import Foundation

/// Everything a build needs; the CLI fills it from flags, a deploy server from its own config.
public struct BuildRequest: Sendable {
    /// The app's source: a folder or a commit of its repository (never modified), or a tarball
    /// from a file, a descriptor or a URL.
    public var source: SourceLocation
    /// Where the slug goes; replaced only by a complete new slug. Nil keeps it in the build's
    /// temporary folder, for a build that only streams or uploads it.
    public var output: URL?
    /// Also writes the finished slug to this open descriptor (`-o -` passes standard output).
    public var outputDescriptor: Int32?
    /// PUTs the finished slug to a signed URL.
    public var upload: SlugUpload?
    /// Limits for a source downloaded over HTTP.
    public var download = DownloadOptions()
    /// Bytes a source tarball or a buildpack archive may expand to when unpacked.
    public var maxUnpackedSize = ArchiveLimits.defaultExpansion
    /// The built-in buildpacks folder (with `order.yml`).
    public var buildpacksDirectory: URL
    /// `--buildpack` references (ids, folders, archives) in order; empty means detect.
    public var buildpacks: [String] = []
    /// Kept between builds; nil means a throw-away cache.
    public var cacheDirectory: URL?
    public var configVars = ConfigVars()
    /// Build this subfolder of `source` (a monorepo's app).
    public var appDirectory: String?
    /// Per script (`bin/compile`, hooks); nil means no limit.
    public var timeout: Duration?
    public var stack = "heroku-24"
    public var pack = PackOptions()
    /// Where the build's temporary folder goes; it is removed when the build ends.
    public var temporaryDirectory = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
    /// The environment buildpack scripts start from (PATH, HOME, LANG …); config vars are never
    /// exported into it.
    public var baseEnvironment: [String: String] = BuildRequest.defaultBaseEnvironment()

    /// A build of the folder `source`.
    public init(source: URL, output: URL, buildpacksDirectory: URL) {
        self.init(source: .folder(source), output: output, buildpacksDirectory: buildpacksDirectory)
    }

    public init(source: SourceLocation, output: URL?, buildpacksDirectory: URL) {
        self.source = source
        self.output = output
        self.buildpacksDirectory = buildpacksDirectory
    }

    /// The variables of this process that a build script reasonably needs, and nothing else.
    public static func defaultBaseEnvironment() -> [String: String] {
        let keep = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME", "SHELL", "PYENV_ROOT"]
        let current = ProcessInfo.processInfo.environment
        var environment: [String: String] = [:]
        for key in keep { environment[key] = current[key] }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        if environment["LANG"] == nil { environment["LANG"] = "C.UTF-8" }
        return environment
    }
}

/// What a successful build produced.
public struct BuildResult: Sendable {
    public var release: ReleaseMetadata
    public var detection: DetectionReport
    /// How long the build and each stage took.
    public var durations = BuildDurations()
}

extension BuildResult {
    /// The `build --json` document: the release metadata (as `pack --json` prints it) plus
    /// `durations`, which stays out of the slug's embedded copy so the slug stays reproducible.
    public func jsonData() -> Data { Self.jsonData(release: release, durations: durations) }

    public static func jsonData(release: ReleaseMetadata, durations: BuildDurations) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(BuildDocument(release: release, durations: durations))) ?? release.jsonData()
    }

    /// The release's fields and `durations` side by side in one JSON object.
    private struct BuildDocument: Encodable {
        var release: ReleaseMetadata
        var durations: BuildDurations
        enum CodingKeys: String, CodingKey { case durations }
        func encode(to encoder: Encoder) throws {
            try release.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(durations, forKey: .durations)
        }
    }
}
