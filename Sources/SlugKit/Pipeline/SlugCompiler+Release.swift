import Foundation

extension SlugCompiler {
    /// Merges each buildpack's release (`bin/release` YAML, or `buildpack.yml` defaults) with the
    /// app's Procfile, which wins. Later buildpacks override earlier ones, as on Heroku.
    func release(_ request: BuildRequest, buildpacks: [CompiledBuildpack], app: URL,
                 events: @escaping BuildEventHandler) async throws -> ReleaseMetadata {
        var defaults = ProcessTypes()
        var configVars: [String: String] = [:]
        var addons: [String] = []
        let environment = request.baseEnvironment.merging(["STACK": request.stack]) { _, new in new }
        for compiled in buildpacks {
            let release = try await releaseYAML(of: compiled, app: app, environment: environment, timeout: request.timeout)
            defaults = defaults.merging(release.defaultProcessTypes)
            configVars.merge(release.configVars) { _, new in new }
            addons += release.addons.filter { !addons.contains($0) }
        }
        return try resolveProcessTypes(
            app: app, defaults: defaults, stack: request.stack,
            description: buildpacks.last?.detected.buildpack.providedDescription,
            buildpacks: buildpacks.map(\.detected.buildpack.id), configVars: configVars, addons: addons, events: events)
    }

    /// Reads the Procfile, reports the types Heroku-style, and builds the release metadata.
    func resolveProcessTypes(app: URL, defaults: ProcessTypes, stack: String, description: String?, buildpacks: [String],
                             configVars: [String: String], addons: [String], events: BuildEventHandler) throws -> ReleaseMetadata {
        events(.step("Discovering process types"))
        let procfile: Procfile?
        do { procfile = try Procfile.load(in: app) } catch { throw ReleaseError.procfile(error) }
        var warnings: [BuildWarning] = procfile?.warnings ?? []
        for warning in warnings { events(.warning(warning)) }
        if let procfile {
            let types = procfile.processTypes.types
            events(.detail("Procfile declares types -> \(types.isEmpty ? "(none)" : types.joined(separator: ", "))"))
        }
        if !defaults.isEmpty {
            events(.detail("Default types for buildpack -> \(defaults.types.joined(separator: ", "))"))
        }
        let processTypes = defaults.merging(procfile?.processTypes ?? ProcessTypes())
        if processTypes.isEmpty {
            let warning = BuildWarning(file: "Procfile", buildpack: buildpacks.last,
                                       message: "no process types: nothing will run. Add a Procfile with a line like \"web: ./bin/start\".")
            events(.warning(warning))
            warnings.append(warning)
        }
        return ReleaseMetadata(processTypes: processTypes, stack: stack, buildpackProvidedDescription: description,
                               buildpacks: buildpacks, configVars: configVars, addons: addons,
                               warnings: warnings.map(\.description))
    }

    private func releaseYAML(of compiled: CompiledBuildpack, app: URL, environment: [String: String], timeout: Duration?) async throws -> ReleaseYAML {
        let buildpack = compiled.detected.buildpack
        let script = compiled.workingCopy.appendingPathComponent("bin/release")
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            var release = ReleaseYAML()
            release.defaultProcessTypes = buildpack.defaultProcessTypes
            return release
        }
        let process = ChildProcess(executable: script.path, arguments: [app.path], environment: environment,
                                   workingDirectory: app, timeout: timeout ?? .seconds(60), capturesOutput: true)
        let outcome: ChildProcessOutcome
        do { outcome = try await process.run() } catch is CancellationError { throw CompileError.cancelled } catch let error as ChildProcessError {
            let failure = buildpack.startFailure(error, runFrom: compiled.workingCopy)
            throw ReleaseError.releaseScriptFailed(buildpack: buildpack.id, outcome: "could not be started: \(failure)", errorTail: [])
        }
        if outcome.exitCode == 127, case let .carriageReturn(line) = StartFailure.diagnose(script.path, fallback: "") {
            throw ReleaseError.releaseScriptFailed(buildpack: buildpack.id, outcome: "could not be started: \(StartFailure.carriageReturn(line: line))",
                                                   errorTail: outcome.errorTail)
        }
        guard outcome.succeeded else {
            throw ReleaseError.releaseScriptFailed(buildpack: buildpack.id, outcome: outcome.summary, errorTail: outcome.errorTail)
        }
        return try ReleaseYAML.parse(outcome.capturedOutput, buildpack: buildpack.id)
    }
}
