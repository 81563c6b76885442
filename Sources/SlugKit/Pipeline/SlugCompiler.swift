import Foundation

/// The whole build: copy → detect → compile → release → pack, reported as events.
///
/// Safe to use for several builds at once: each build has its own temporary folder and
/// environment, and builds sharing a cache folder take turns on it.
public struct SlugCompiler: Sendable {
    public init() {}

    /// Builds `request.source` into a slug at `request.output`.
    ///
    /// Throws `SourceError`, `DetectError`, `CompileError`, `ReleaseError` or `PackError`; on any
    /// error (and on cancellation) the output file is untouched and the temporary folder gone.
    public func build(_ request: BuildRequest, events: @escaping BuildEventHandler) async throws -> BuildResult {
        let appSource = try resolveAppSource(request)
        try SourceError.checkOutputFolder(of: request.output)
        let workspace = try BuildWorkspace(in: request.temporaryDirectory)
        defer { workspace.remove() }

        let clock = ContinuousClock()
        func stage<T>(_ stage: BuildStage, _ body: () async throws -> T) async throws -> T {
            try Task.checkCancellation()
            let started = clock.now
            events(.stageStarted(stage))
            let value = try await body()
            events(.stageFinished(stage, clock.now - started))
            return value
        }

        try await stage(.copy) { try copySource(appSource, into: workspace.app, output: request.output, events: events) }
        let (buildpacks, report) = try await stage(.detect) {
            try await detect(request, appSource: appSource, workspace: workspace, events: events)
        }
        let compiled = try await stage(.compile) {
            do {
                return try await compile(request, buildpacks: buildpacks, workspace: workspace, events: events)
            } catch let CompileError.scriptFailed(buildpack, script, outcome, _)
                        where buildpack == report.selected && report.requirementWarning != nil {
                // Detection knew what compile would miss; the failure says it again with the hints.
                throw CompileError.missingRequirement(buildpack: buildpack, script: script, outcome: outcome,
                                                      needs: report.selectedResult?.required ?? "more files", hints: report.hints)
            }
        }
        var release = try await stage(.release) {
            try await self.release(request, buildpacks: compiled, app: workspace.app, events: events)
        }
        release = try await stage(.pack) {
            try pack(request, release: release, app: workspace.app, events: events)
        }
        return BuildResult(release: release, detection: report)
    }

    func resolveAppSource(_ request: BuildRequest) throws -> URL {
        var isDirectory: ObjCBool = false
        let source = request.source.standardizedFileURL
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceError.notADirectory(path: request.source.path)
        }
        guard let sub = request.appDirectory, !sub.isEmpty, sub != "." else { return source }
        let parts = sub.split(separator: "/")
        if sub.hasPrefix("/") || parts.contains("..") {
            throw SourceError.appDirectoryOutsideSource(appDirectory: sub)
        }
        let app = source.appendingPathComponent(sub).standardizedFileURL
        // A symlinked subfolder could still point outside; compare real paths.
        let realSource = source.resolvingSymlinksInPath().path
        let realApp = app.resolvingSymlinksInPath().path
        guard realApp.hasPrefix(realSource + "/") else {
            if FileManager.default.fileExists(atPath: app.path) { throw SourceError.appDirectoryOutsideSource(appDirectory: sub) }
            throw SourceError.appDirectoryMissing(appDirectory: sub, source: request.source.path)
        }
        guard FileManager.default.fileExists(atPath: app.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceError.appDirectoryMissing(appDirectory: sub, source: request.source.path)
        }
        return app
    }
}
