import Foundation

/// A buildpack: a folder with `bin/compile`, and either a `buildpack.yml` (built-in style:
/// declarative detection, default process types) or a classic Heroku `bin/detect` and
/// optional `bin/release`.
public struct Buildpack: Sendable {
    public enum Detection: Sendable {
        /// Rules from `buildpack.yml`, evaluated by the engine so each yields a reason.
        case rules(DetectionRule)
        /// A classic `bin/detect` script.
        case script(URL)
    }

    /// Short id ("python"), or for a classic buildpack its folder name.
    public var id: String
    /// What people read ("Python"): `-----> Python app detected`.
    public var name: String
    public var directory: URL
    public var detection: Detection
    /// `buildpack.yml`'s `requires`: what compile needs beyond what detection looks for (the
    /// Python buildpack detects on any Python file but installs from requirements.txt). When it
    /// fails, detection still matches, and says why compile will fail and what to add.
    public var requirement: DetectionRule?
    /// From `buildpack.yml`'s `process_types`; a classic buildpack's come from `bin/release`.
    public var defaultProcessTypes: ProcessTypes
    /// `buildpack_provided_description` in the release metadata.
    public var providedDescription: String
    /// What `--buildpack` said (an id, a folder or an archive path), for messages; nil for built-ins from order.yml.
    public var reference: String?

    public init(id: String, name: String, directory: URL, detection: Detection,
                defaultProcessTypes: ProcessTypes = ProcessTypes(), providedDescription: String? = nil,
                reference: String? = nil, requirement: DetectionRule? = nil) {
        self.id = id
        self.requirement = requirement
        self.name = name
        self.directory = directory
        self.detection = detection
        self.defaultProcessTypes = defaultProcessTypes
        self.providedDescription = providedDescription ?? name
        self.reference = reference
    }

    /// How messages name a file of this buildpack: under the archive given to `--buildpack`
    /// (`bp.tgz/bin/detect`) when it came from one, since the folder it was unpacked into is
    /// gone by the time anyone reads the message.
    public func displayPath(of file: URL) -> String {
        guard let reference, BuildpackCatalog.isArchive(reference), file.path.hasPrefix(directory.path + "/") else { return file.path }
        return reference + file.path.dropFirst(directory.path.count)
    }

    /// How messages name this buildpack's folder: the archive given to `--buildpack` when it
    /// came from one, else the folder itself.
    public var displayRoot: String {
        guard let reference, BuildpackCatalog.isArchive(reference) else { return directory.path }
        return reference
    }

    /// Why a script of this buildpack could not start, naming its files as the user knows them;
    /// `runFrom` is the folder the script ran from (the buildpack, or a private copy of it).
    func startFailure(_ error: ChildProcessError, runFrom folder: URL) -> StartFailure {
        error.failure.naming(folder.path, as: displayRoot)
    }

    public var compileScript: URL { directory.appendingPathComponent("bin/compile") }
    /// `bin/release`, when the buildpack has one.
    public var releaseScript: URL? {
        let url = directory.appendingPathComponent("bin/release")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }
}
