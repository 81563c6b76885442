import Foundation

/// A buildpack after its compile: the private copy it ran from (where it may have left an
/// `export` file) and the environment the next one starts from.
struct CompiledBuildpack: Sendable {
    var detected: DetectedBuildpack
    var workingCopy: URL
    /// How long its compile script ran.
    var duration: Duration
}

/// What the compile stage leaves for the next stages.
struct CompileOutcome {
    var buildpacks: [CompiledBuildpack]
    /// Symlinks into a buildpack's cache to pack as folders (`CacheLinks`); empty unless the
    /// stage was asked to keep them.
    var linkedFolders: [String: String]
    /// Held while `linkedFolders` point into the cache, so no other build changes it before the pack.
    var cacheLock: CacheLock?
}

extension SlugCompiler {
    /// Runs the app's `bin/pre_compile`, each buildpack's `bin/compile` in order (sourcing the
    /// previous one's `export` file), then the app's `bin/post_compile`.
    ///
    /// `script` is `compile`, or `test-compile` for Heroku's testpack API (`slugc test`). With
    /// `keepingCacheLinks`, the folders the last step left linked to a cache stay links for the
    /// pack (`CacheLinks`), and the cache stays locked; otherwise they are copied in.
    func compile(_ request: BuildRequest, buildpacks: [DetectedBuildpack], workspace: BuildWorkspace, script scriptName: String = "compile",
                 keepingCacheLinks: Bool = false, events: @escaping BuildEventHandler) async throws -> CompileOutcome {
        try request.configVars.write(to: workspace.envDirectory)
        let cacheRoot = request.cacheDirectory ?? workspace.root.appendingPathComponent("cache", isDirectory: true)
        do { try FileManager.default.createDirectory(at: cacheRoot, withIntermediateDirectories: true) } catch {
            let place = IOFailure.place(of: cacheRoot.path) ?? .cache
            let why = IOFailure.code(of: error).map { IOFailure.reason($0, path: cacheRoot.path, place: place) } ?? error.localizedDescription
            throw CompileError.io(path: cacheRoot.path, reason: "cannot create the cache folder: \(why)")
        }
        let lock = try await CacheLock.acquire(cacheRoot) {
            events(.detail("Waiting for another build that is using the cache folder \(cacheRoot.path)"))
        }

        var environment = scriptEnvironment(request, workspace: workspace)
        var compiled: [CompiledBuildpack] = []
        var links = CacheLinks()
        let app = workspace.app
        try await runAppHook("pre_compile", request: request, app: app, environment: environment, events: events)
        for (index, detected) in buildpacks.enumerated() {
            let buildpack = detected.buildpack
            if index > 0 { events(.step("\(detected.displayName) app detected")) }
            // What the last buildpack linked becomes a real folder before this one may write there.
            try await links.materialize(in: app, before: "buildpack \(buildpack.id)", events: events)
            // Classic buildpacks write into their own folder (an `export` file, say); a private
            // copy keeps the installed buildpack untouched and concurrent builds apart.
            let workingCopy = workspace.scratch.appendingPathComponent("buildpack-\(index)-\(buildpack.id)")
            // TreeCopier, not FileManager.copyItem: that one keeps the owner, which an ordinary
            // user cannot do for a buildpack installed by root.
            do { try TreeCopier.copy(from: buildpack.directory, to: workingCopy, ownerWritable: true) { _, _ in false } } catch {
                throw CompileError.io(path: buildpack.directory.path, reason: "cannot copy the buildpack: \(error)")
            }
            let cache = cacheRoot.appendingPathComponent(buildpack.id, isDirectory: true)
            try? FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
            let script = workingCopy.appendingPathComponent("bin/\(scriptName)")
            let linkList = workspace.scratch.appendingPathComponent("cache-links-\(index)")
            var scriptEnvironment = environment
            scriptEnvironment[CacheLinks.environmentKey] = linkList.path
            let started = ContinuousClock.now
            try await runScript(script, label: "bin/\(scriptName)", arguments: [app.path, cache.path, workspace.envDirectory.path],
                                buildpack: buildpack.id, request: request, environment: scriptEnvironment, directory: app,
                                naming: (workingCopy.path, buildpack.displayRoot), events: events)
            try links.read(linkList, buildpack: buildpack.id, app: app, cache: cache)
            environment = try await applyExportFile(workingCopy.appendingPathComponent("export"), to: environment, buildpack: buildpack.id)
            let duration = ContinuousClock.now - started
            events(.buildpackFinished(buildpack.id, duration))
            compiled.append(CompiledBuildpack(detected: detected, workingCopy: workingCopy, duration: duration))
        }
        let hasPostCompile = FileManager.default.fileExists(atPath: app.appendingPathComponent("bin/post_compile").path)
        if hasPostCompile || !keepingCacheLinks {
            try await links.materialize(in: app, before: hasPostCompile ? "bin/post_compile" : "bin/test", events: events)
        }
        try await runAppHook("post_compile", request: request, app: app, environment: environment, events: events)
        return CompileOutcome(buildpacks: compiled, linkedFolders: links.folders, cacheLock: links.isEmpty ? nil : lock)
    }

    /// Runs one script to completion, streaming its lines; failure, timeout and cancellation
    /// become `CompileError`s.
    func runScript(_ script: URL, label: String, arguments: [String], buildpack: String, request: BuildRequest,
                   environment: [String: String], directory: URL, naming folder: (path: String, shown: String)? = nil,
                   events: @escaping BuildEventHandler) async throws {
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            throw CompileError.scriptNotExecutable(buildpack: buildpack, script: label)
        }
        let process = ChildProcess(executable: script.path, arguments: arguments, environment: environment,
                                   workingDirectory: directory, timeout: request.timeout)
        let outcome: ChildProcessOutcome
        do {
            outcome = try await process.run { stream, line in events(.output(line, stream, buildpack: buildpack)) }
        } catch is CancellationError {
            throw CompileError.cancelled
        } catch let error as ChildProcessError {
            // The script runs from a copy in the build folder: name the buildpack the user gave.
            let failure = folder.map { error.failure.naming($0.path, as: $0.shown) } ?? error.failure
            throw CompileError.scriptCannotStart(buildpack: buildpack, script: label, reason: failure.description)
        }
        // `#!/usr/bin/env bash\r` starts env, which then finds no `bash\r` and exits 127.
        if outcome.exitCode == 127, case let .carriageReturn(line) = StartFailure.diagnose(script.path, fallback: "") {
            throw CompileError.scriptCannotStart(buildpack: buildpack, script: label, reason: StartFailure.carriageReturn(line: line).description)
        }
        if outcome.timedOut {
            let seconds = request.timeout.map { Int($0.components.seconds) } ?? 0
            throw CompileError.timedOut(buildpack: buildpack, script: label, seconds: seconds)
        }
        guard outcome.succeeded else {
            throw CompileError.scriptFailed(buildpack: buildpack, script: label, outcome: outcome.summary, errorTail: outcome.errorTail)
        }
    }

    /// The app's own `bin/pre_compile` / `bin/post_compile`, run with the config vars exported
    /// (they are the app's code, as on Heroku's Python buildpack).
    private func runAppHook(_ name: String, request: BuildRequest, app: URL, environment: [String: String],
                            events: @escaping BuildEventHandler) async throws {
        let hook = app.appendingPathComponent("bin/\(name)")
        guard FileManager.default.fileExists(atPath: hook.path) else { return }
        events(.step("Running bin/\(name) hook"))
        var hookEnvironment = environment
        for (key, value) in request.configVars.values { hookEnvironment[key] = value }
        try await runScript(hook, label: "bin/\(name)", arguments: [], buildpack: "app", request: request,
                            environment: hookEnvironment, directory: app, events: events)
    }

    /// Sources a buildpack's `export` file in bash and returns the environment it leaves, so
    /// the next buildpack sees e.g. its `PATH` additions.
    private func applyExportFile(_ file: URL, to environment: [String: String], buildpack: String) async throws -> [String: String] {
        guard FileManager.default.fileExists(atPath: file.path) else { return environment }
        let process = ChildProcess(executable: "/bin/bash", arguments: ["-c", ". \"$1\" >/dev/null && env -0", "export", file.path],
                                   environment: environment, timeout: .seconds(30), capturesOutput: true)
        let outcome = try await process.run()
        guard outcome.succeeded else {
            throw CompileError.scriptFailed(buildpack: buildpack, script: "export", outcome: outcome.summary, errorTail: outcome.errorTail)
        }
        var exported: [String: String] = [:]
        // capturedOutput joins lines with "\n", which restores values that contained newlines;
        // the trailing "\n" it adds after the last NUL is dropped.
        for entry in outcome.capturedOutput.split(separator: "\0") where entry != "\n" {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            exported[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        }
        // bash adds these itself; they describe the sourcing shell, not the build.
        for key in ["_", "SHLVL", "PWD", "OLDPWD"] { exported[key] = environment[key] }
        return exported
    }
}
