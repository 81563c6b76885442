import Foundation

/// Why detection stopped the build.
public enum DetectError: Error, Sendable {
    /// No buildpack matched (exit 20); the report says what each looked for.
    case noBuildpackDetected(DetectionReport)
    /// A buildpack set with `--buildpack` does not match the app (exit 20).
    case notCompatible(buildpack: String, report: DetectionReport)
    /// A `bin/detect` script failed rather than saying no (exit 21).
    case detectScriptFailed(buildpack: String, outcome: ChildProcessOutcome)
    /// A `buildpack.yml` or `order.yml` that cannot be used (file, line, what is wrong).
    case invalidBuildpack(file: String, line: Int?, message: String)
    /// `--buildpack` names nothing slugc can find.
    case unknownBuildpack(reference: String, available: [String])
}
