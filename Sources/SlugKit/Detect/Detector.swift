import Foundation

/// Asks each buildpack whether it can build the app, and explains every answer.
public struct Detector: Sendable {
    /// Environment for classic `bin/detect` scripts (PATH, STACK …).
    public var environment: [String: String]
    public var timeout: Duration?

    public init(environment: [String: String], timeout: Duration? = .seconds(60)) {
        self.environment = environment
        self.timeout = timeout
    }

    /// Runs detection for `buildpacks` in order against the app at `appDirectory`.
    ///
    /// - `sourceDirectory`: the untouched source (for hints about `.slugignore` and `.gitignore`);
    /// - `explicit`: the buildpacks were set with `--buildpack`: all must match, in order.
    /// Throws `DetectError` when nothing matches, a set buildpack does not match, or a script fails.
    public func detect(appDirectory: URL, sourceDirectory: URL?, buildpacks: [Buildpack], explicit: Bool) async throws -> DetectionReport {
        throw DetectError.noBuildpackDetected(DetectionReport(results: [], selected: nil, hints: []))
    }

    /// Like `detect`, but never throws for "no match": `slugc detect` prints the report either way.
    public func explain(appDirectory: URL, sourceDirectory: URL?, buildpacks: [Buildpack]) async throws -> DetectionReport {
        DetectionReport(results: [], selected: nil, hints: [])
    }
}
