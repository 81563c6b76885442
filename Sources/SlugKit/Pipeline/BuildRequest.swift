import Foundation

/// Everything a build needs; the CLI fills it from flags, a deploy server from its own config.
public struct BuildRequest: Sendable {
    /// The app's source tree. Never modified.
    public var source: URL
    /// Where the slug goes; replaced only by a complete new slug.
    public var output: URL
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

    public init(source: URL, output: URL, buildpacksDirectory: URL) {
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
}

/// The source or its options cannot be used (a usage error, exit 64).
public enum SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADirectory(path: String)
    case appDirectoryOutsideSource(appDirectory: String)
    case appDirectoryMissing(appDirectory: String, source: String)
    case outputFolderMissing(output: String, folder: String)
    case slugNotFound(path: String)

    public var description: String {
        switch self {
        case let .notADirectory(path):
            return "\(path): not a folder. Give the app's folder, e.g. slugc build ./myapp -o slug.tgz."
        case let .appDirectoryOutsideSource(appDirectory):
            return "--app-dir \(appDirectory): must be a folder inside the source (no \"..\", not absolute)."
        case let .appDirectoryMissing(appDirectory, source):
            return "--app-dir \(appDirectory): there is no such folder in \(source)."
        case let .outputFolderMissing(output, folder):
            return "\(output): the folder \(folder) does not exist. Create it, or write the slug elsewhere."
        case let .slugNotFound(path):
            return "\(path): no such slug. Build one with slugc build SOURCE -o \(path)."
        }
    }
}

extension SourceError {
    /// Fails fast, before any work, when the slug could not be written where asked.
    static func checkOutputFolder(of output: URL) throws {
        let folder = output.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceError.outputFolderMissing(output: output.path, folder: folder.path)
        }
    }

    /// A slug to read must exist and be a file.
    static func checkSlugExists(_ slug: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: slug.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SourceError.slugNotFound(path: slug.path)
        }
    }
}
