import Foundation

/// The whole build: copy → detect → compile → release → pack, reported as events.
///
/// Safe to use for several builds at once: each build has its own temporary folder and
/// environment, and builds sharing a cache folder take turns on it.
public struct SlugCompiler: Sendable {
    public init() {}

    /// Builds `request.source` into a slug at `request.output`, then writes it to
    /// `request.outputDescriptor` and uploads it, when asked.
    ///
    /// Throws `SourceError`, `DetectError`, `CompileError`, `ReleaseError`, `PackError` or
    /// `UploadError`; on any error (and on cancellation) the output file is untouched and the
    /// temporary folder gone.
    public func build(_ request: BuildRequest, events: @escaping BuildEventHandler) async throws -> BuildResult {
        try checkRequest(request)
        var workspace = try BuildWorkspace(in: request.temporaryDirectory)
        defer { workspace.remove() }

        let clock = ContinuousClock()
        let buildStarted = clock.now
        var durations = BuildDurations()
        func stage<T>(_ stage: BuildStage, _ body: () async throws -> T) async throws -> T {
            try Task.checkCancellation()
            let started = clock.now
            events(.stageStarted(stage))
            let value = try await body()
            let duration = clock.now - started
            durations.stages.append((stage, duration))
            events(.stageFinished(stage, duration))
            return value
        }

        let source = try await stage(.copy) {
            var source = try await prepareSource(request, workspace: workspace, events: events)
            source.warnings += try copySource(source.app, into: workspace.app, output: source.isUserFolder ? request.output : nil,
                                          cacheDirectory: source.isUserFolder ? request.cacheDirectory : nil, events: events)
            return source
        }
        workspace.sourceVersion = source.version
        let (buildpacks, report, detectWarnings) = try await stage(.detect) {
            try await detect(request, source: source, workspace: workspace, events: events)
        }
        let compiledOutcome = try await stage(.compile) {
            do {
                return try await compile(request, buildpacks: buildpacks, workspace: workspace, keepingCacheLinks: true, events: events)
            } catch let CompileError.scriptFailed(buildpack, script, outcome, _)
                        where buildpack == report.selected && report.requirementWarning != nil {
                // Detection knew what compile would miss; the failure says it again with the hints.
                throw CompileError.missingRequirement(buildpack: buildpack, script: script, outcome: outcome,
                                                      needs: report.selectedResult?.required ?? "more files", hints: report.hints)
            }
        }
        let compiled = compiledOutcome.buildpacks
        durations.buildpacks = compiled.map { BuildDurations.BuildpackDuration(id: $0.detected.buildpack.id, duration: $0.duration) }
        var release = try await stage(.release) {
            try await self.release(request, buildpacks: compiled, app: workspace.app, events: events)
        }
        release.warnings = (source.warnings + detectWarnings).map(\.description) + release.warnings
        // Checked again now that the build is done: the file a symlink at -o leads to is written.
        let slug = try request.output.map { try SourceError.checkOutput($0) } ?? workspace.root.appendingPathComponent("slug.tgz")
        release = try await stage(.pack) {
            let packed = try pack(request, release: release, app: workspace.app, linkedFolders: compiledOutcome.linkedFolders,
                                  to: slug, events: events)
            if let descriptor = request.outputDescriptor { try writeSlug(slug, to: descriptor, events: events) }
            return packed
        }
        // The cache is no longer read: other builds sharing it may go on.
        withExtendedLifetime(compiledOutcome.cacheLock) {}
        if let upload = request.upload {
            try await stage(.upload) { try await self.upload(slug, with: upload, release: release, workspace: workspace, request: request, events: events) }
        }
        durations.total = clock.now - buildStarted
        return BuildResult(release: release, detection: report, durations: durations)
    }
}
