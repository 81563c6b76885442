import Foundation

/// Why `slugc test` could not run the app's tests.
public enum TestError: Error, Sendable, Equatable, CustomStringConvertible {
    case notSupported(buildpack: String, missing: String)

    public var description: String {
        switch self {
        case let .notSupported(buildpack, missing):
            return "Buildpack \(buildpack) does not support testing: it has no \(missing). Use a buildpack that implements Heroku's testpack API (bin/test-compile and bin/test)."
        }
    }
}

extension SlugCompiler {
    /// Heroku's testpack API: copy and detect as a build does, run each buildpack's
    /// `bin/test-compile BUILD_DIR CACHE_DIR ENV_DIR`, then the last buildpack's
    /// `bin/test BUILD_DIR ENV_DIR` with `.profile.d` loaded. Returns how `bin/test` ended;
    /// its exit code is the tests' verdict.
    public func test(_ request: BuildRequest, events: @escaping BuildEventHandler) async throws -> ChildProcessOutcome {
        var request = request
        request.output = nil
        try checkRequest(request)
        var workspace = try BuildWorkspace(in: request.temporaryDirectory)
        defer { workspace.remove() }
        let source = try await prepareSource(request, workspace: workspace, events: events)
        workspace.sourceVersion = source.version
        try copySource(source.app, into: workspace.app, output: nil, events: events)
        let (buildpacks, _, _) = try await detect(request, source: source, workspace: workspace, events: events)
        // Every buildpack must test-compile; the last one runs the tests.
        let required = buildpacks.map { ($0.buildpack, "bin/test-compile") } + buildpacks.suffix(1).map { ($0.buildpack, "bin/test") }
        for (buildpack, script) in required
        where !FileManager.default.isExecutableFile(atPath: buildpack.directory.appendingPathComponent(script).path) {
            throw TestError.notSupported(buildpack: buildpack.id, missing: script)
        }
        let compiled = try await compile(request, buildpacks: buildpacks, workspace: workspace, script: "test-compile", events: events).buildpacks
        guard let last = compiled.last else { throw TestError.notSupported(buildpack: "(none)", missing: "bin/test") }
        events(.step("Running tests"))
        var environment = scriptEnvironment(request, workspace: workspace)
        environment["HOME"] = workspace.app.path
        let testScript = last.workingCopy.appendingPathComponent("bin/test").path
        let boot = #"shopt -s nullglob; for f in "$HOME"/.profile.d/*.sh; do . "$f"; done; exec "$0" "$@""#
        let process = ChildProcess(executable: "/bin/bash", arguments: ["-c", boot, testScript, workspace.app.path, workspace.envDirectory.path],
                                   environment: environment, workingDirectory: workspace.app, timeout: request.timeout)
        let buildpack = last.detected.buildpack.id
        do {
            return try await process.run { stream, line in events(.output(line, stream, buildpack: buildpack)) }
        } catch is CancellationError {
            throw CompileError.cancelled
        }
    }
}
