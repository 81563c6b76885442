import Foundation

// One buildpack run through Heroku's classic API without the pipeline: enough to test a
// buildpack on its own. Booting what it built is in Dyno.swift.

/// The folder of the built-in buildpack `id` in this checkout (`Buildpacks/<id>`).
public func builtInBuildpack(_ id: String) -> URL {
    builtInBuildpacks.appendingPathComponent(id)
}

/// Runs `<buildpack>/bin/compile BUILD_DIR CACHE_DIR ENV_DIR` in `build`, as slugc does: the
/// working directory is BUILD_DIR, and `configVars` are written one file per variable into a
/// fresh ENV_DIR that is removed afterwards. `environment` is added to this process's own.
/// STACK is heroku-24 unless `environment` says otherwise, as slugc sets it. TMPDIR is a fresh folder removed afterwards too, as slugc's build workspace does, so tools
/// that leave temporary files (SwiftPM does) do not litter the machine's /tmp.
@discardableResult
public func compileWithBuildpack(_ buildpack: URL, build: URL, cache: URL, configVars: [String: String] = [:],
                                 environment: [String: String] = [:]) throws -> CommandResult {
    let envDirectory = try TemporaryDirectory(prefix: "slugc-env")
    let scratch = try TemporaryDirectory(prefix: "slugc-compile-tmp")
    defer {
        envDirectory.remove()
        scratch.remove()
    }
    for (key, value) in configVars {
        try Data(value.utf8).write(to: envDirectory.appending(key))
    }
    return try runCommand(buildpack.appendingPathComponent("bin/compile").path,
                          [build.path, cache.path, envDirectory.url.path],
                          environment: ["TMPDIR": scratch.url.path, "STACK": "heroku-24"].merging(environment) { _, given in given },
                          workingDirectory: build)
}

/// Runs `<buildpack>/bin/release BUILD_DIR` and returns its stdout (the release YAML).
public func releaseWithBuildpack(_ buildpack: URL, build: URL) throws -> String {
    let result = try runCommand(buildpack.appendingPathComponent("bin/release").path, [build.path])
    guard result.exitCode == 0 else {
        throw FixtureError(message: "bin/release exited \(result.exitCode): \(result.stderr)")
    }
    return result.stdout
}
