import Foundation

extension SlugCompiler {
    /// Picks the buildpacks: the ones set with `--buildpack` (each must match), or the first
    /// built-in one that matches.
    /// Also returns the warnings it gave, for the release's `warnings`.
    func detect(_ request: BuildRequest, source: PreparedSource, workspace: BuildWorkspace,
                events: BuildEventHandler) async throws -> ([DetectedBuildpack], DetectionReport, [BuildWarning]) {
        let explicit = !request.buildpacks.isEmpty
        let candidates = try candidateBuildpacks(request, workspace: workspace)
        let report = try await detector(request, workspace: workspace, source: source)
            .detect(appDirectory: workspace.app, sourceDirectory: source.app, buildpacks: candidates, explicit: explicit)
        let chosen: [Buildpack] = explicit ? candidates : candidates.filter { $0.id == report.selected }
        let detected = chosen.map { buildpack in
            let framework = report.results.first(where: { $0.id == buildpack.id })?.framework
            return DetectedBuildpack(buildpack: buildpack, displayName: framework.flatMap { $0.isEmpty ? nil : $0 } ?? buildpack.name)
        }
        if let first = detected.first {
            events(.step("\(first.displayName) app detected"))
        }
        if let warning = report.requirementWarning {
            // The hints come with the compile failure that follows, once.
            events(.warning(BuildWarning(buildpack: report.selected, message: warning)))
        }
        if !explicit, !report.alsoMatched.isEmpty {
            let others = report.alsoMatched.map(\.name).joined(separator: ", ")
            events(.detail("Also matched: \(others) (the first in order wins; set one with --buildpack to choose)"))
        }
        let warnings = await unpushedMarkers(of: chosen, source: source, request: request, workspace: workspace)
        warnings.forEach { events(.warning($0)) }
        return (detected, report, warnings)
    }

    /// A git checkout built as a folder, detected through files a push would not send
    /// (untracked, or ignored by `.gitignore`): warnings, since Heroku would not detect it.
    func unpushedMarkers(of buildpacks: [Buildpack], source: PreparedSource, request: BuildRequest,
                         workspace: BuildWorkspace) async -> [BuildWarning] {
        guard source.isUserFolder else { return [] }
        let markers = buildpacks.flatMap { buildpack -> [(name: String, marker: DetectionRule.Marker)] in
            guard case .rules(let rule) = buildpack.detection else { return [] }
            return rule.markers.map { (buildpack.name, $0) }
        }
        let finder = NearMissHints(appDirectory: workspace.app, sourceDirectory: source.app,
                                   environment: scriptEnvironment(request, workspace: workspace))
        return await finder.unpushedWarnings(markers)
    }

    /// The buildpacks to ask: those set with `--buildpack` (archives unpacked into the
    /// workspace), else the built-in ones in `order.yml` order.
    func candidateBuildpacks(_ request: BuildRequest, workspace: BuildWorkspace) throws -> [Buildpack] {
        guard !request.buildpacks.isEmpty else { return try BuildpackCatalog.load(from: request.buildpacksDirectory) }
        return try request.buildpacks.enumerated().map { index, reference in
            try BuildpackCatalog.resolve(reference, builtIn: request.buildpacksDirectory,
                                         scratch: workspace.scratch.appendingPathComponent("archive-\(index)"),
                                         expansionLimit: request.maxUnpackedSize)
        }
    }

    /// Runs classic `bin/detect` scripts with the build's script environment; hints of a git-ref
    /// build look in the repository.
    func detector(_ request: BuildRequest, workspace: BuildWorkspace, source: PreparedSource) -> Detector {
        var detector = Detector(environment: scriptEnvironment(request, workspace: workspace), timeout: .seconds(60))
        detector.git = source.git
        return detector
    }

    /// The environment every buildpack script starts from.
    func scriptEnvironment(_ request: BuildRequest, workspace: BuildWorkspace) -> [String: String] {
        var environment = request.baseEnvironment
        environment["STACK"] = request.stack
        environment["TMPDIR"] = workspace.temporary.path
        if let version = workspace.sourceVersion { environment["SOURCE_VERSION"] = version }
        return environment
    }

    /// The commit a git checkout is at, read from `.git/HEAD` without running git. Every file is
    /// read through `AppFile`, and the ref must be a `refs/` name: a hostile `.git/HEAD` (a link
    /// to /etc/passwd, or `ref: ../../etc/shadow`) must not put a host file into SOURCE_VERSION.
    func sourceVersion(of source: URL) -> String? {
        func text(_ name: String) -> String? {
            guard case let .contents(data) = AppFile.read(name, in: source) else { return nil }
            return String(decoding: data, as: UTF8.self)
        }
        guard let head = text(".git/HEAD")?.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard head.hasPrefix("ref: ") else { return Self.looksLikeCommit(head) ? head : nil }
        let ref = String(head.dropFirst(5))
        guard ref.hasPrefix("refs/"), !ref.split(separator: "/").contains("..") else { return nil }
        if let commit = text(".git/" + ref)?.trimmingCharacters(in: .whitespacesAndNewlines) {
            return Self.looksLikeCommit(commit) ? commit : nil
        }
        // Packed refs: "<sha> refs/heads/main" lines.
        for line in (text(".git/packed-refs") ?? "").split(separator: "\n") where line.hasSuffix(" " + ref) {
            let commit = String(line.prefix(while: { $0 != " " }))
            return Self.looksLikeCommit(commit) ? commit : nil
        }
        return nil
    }

    /// A SHA-1 or SHA-256 object name in hex.
    private static func looksLikeCommit(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }
}

/// A buildpack chosen for this build, with the name its detection gave.
struct DetectedBuildpack: Sendable {
    var buildpack: Buildpack
    /// "Python" from `buildpack.yml`, or a classic `bin/detect`'s stdout.
    var displayName: String
}

extension SlugCompiler {
    /// Detection only (`slugc detect`): the source is fetched and copied as a build would (so
    /// `.slugignore` counts), every buildpack is asked, and nothing is thrown for "no match".
    /// A match through files git would not push adds their warnings to the report's hints.
    public func explain(_ request: BuildRequest) async throws -> DetectionReport {
        var request = request
        request.output = nil
        try checkRequest(request)
        var workspace = try BuildWorkspace(in: request.temporaryDirectory)
        defer { workspace.remove() }
        let source = try await prepareSource(request, workspace: workspace, events: { _ in })
        workspace.sourceVersion = source.version
        try copySource(source.app, into: workspace.app, output: nil, events: { _ in })
        let candidates = try candidateBuildpacks(request, workspace: workspace)
        var report = try await detector(request, workspace: workspace, source: source)
            .explain(appDirectory: workspace.app, sourceDirectory: source.app, buildpacks: candidates)
        let matched = request.buildpacks.isEmpty ? candidates.filter { $0.id == report.selected } : candidates
        if report.selected != nil {
            report.hints += await unpushedMarkers(of: matched, source: source, request: request, workspace: workspace).map(\.description)
        }
        return report
    }
}
