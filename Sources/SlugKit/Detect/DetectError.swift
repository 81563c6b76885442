import Foundation

/// Why detection stopped the build.
public enum DetectError: Error, Sendable {
    /// No buildpack matched (exit 20); the report says what each looked for.
    case noBuildpackDetected(DetectionReport)
    /// A buildpack set with `--buildpack` does not match the app (exit 20).
    case notCompatible(buildpack: String, report: DetectionReport)
    /// A `bin/detect` script failed rather than saying no (exit 21); `script` is its path.
    case detectScriptFailed(buildpack: String, script: String, outcome: ChildProcessOutcome)
    /// A `buildpack.yml` or `order.yml` that cannot be used (file, line, what is wrong).
    case invalidBuildpack(file: String, line: Int?, message: String)
    /// `--buildpack` names nothing slugc can find.
    case unknownBuildpack(reference: String, available: [String])
}

extension DetectError: CustomStringConvertible, LocalizedError {
    public var errorDescription: String? { description }

    /// Full sentences, possibly several lines, without Heroku prefixes: the CLI adds those.
    public var description: String {
        switch self {
        case .noBuildpackDetected(let report):
            var lines = ["No Cedar-supported app detected: no buildpack matched this app.", "What each buildpack looked for:"]
            for result in report.results {
                lines.append("  \(result.displayName): \(Self.lookedFor(result))")
            }
            lines += Self.hintLines(report.hints)
            lines.append("HINT: This occurs when slugc cannot detect the buildpack to use for this application automatically. Put the files a buildpack looks for at the app root, or set the buildpack with --buildpack.")
            return lines.joined(separator: "\n")
        case let .notCompatible(buildpack, report):
            var lines = ["App not compatible with buildpack: \(buildpack)"]
            if let result = report.results.first(where: { !$0.matched }) {
                if result.script != nil {
                    let status = result.failure ?? Self.exitText(result.exitCode)
                    lines.append("bin/detect \(status) and " + (result.stderr.isEmpty ? "wrote nothing to stderr." : "said:"))
                    lines += result.stderr.suffix(10).map { "  " + $0 }
                } else {
                    lines.append("It looks for \(result.lookedFor ?? "its rules"), and nothing matched:")
                    lines += result.rules.flatMap(\.failingLeaves).map { "  " + $0.reason }
                }
            }
            lines += Self.hintLines(report.hints)
            lines.append("Change the app so the buildpack matches, or leave out --buildpack \(buildpack) to let slugc detect one.")
            return lines.joined(separator: "\n")
        case let .detectScriptFailed(buildpack, script, outcome):
            var status = outcome.summary
            if outcome.exitCode == 127, outcome.errorTail.first?.hasPrefix("could not start") == true {
                status = "could not be started"
            }
            var lines = ["The detect script of buildpack '\(buildpack)' failed: \(script) \(status). A detect script exits 0 for \"yes\" and 1 for \"no\"; anything else is an error."]
            if outcome.errorTail.isEmpty {
                lines.append("It wrote nothing to stderr.")
            } else {
                lines.append("Last lines of its stderr:")
                lines += outcome.errorTail.suffix(10).map { "  " + $0 }
            }
            lines.append("Fix the script (run '\(script) <app folder>' to try it), or set another buildpack with --buildpack.")
            return lines.joined(separator: "\n")
        case let .invalidBuildpack(file, line, message):
            return "\(file)\(line.map { ":\($0)" } ?? ""): \(message)"
        case let .unknownBuildpack(reference, available):
            let known = available.isEmpty ? "there are no built-in buildpacks" : "built-in: \(available.joined(separator: ", "))"
            if reference.contains("://") || reference.hasPrefix("git@") {
                return "Buildpack '\(reference)' is a URL, and slugc does not download buildpacks: clone or download it and pass its folder or .tgz to --buildpack (\(known))."
            }
            return "No buildpack '\(reference)': it is neither a built-in buildpack id (\(known)) nor an existing folder or .tgz archive. Pass one of those ids, or the path to a buildpack folder or archive."
        }
    }

    static func lookedFor(_ result: BuildpackDetection) -> String {
        if let lookedFor = result.lookedFor { return lookedFor }
        if let failure = result.failure { return "bin/detect \(failure)" }
        let said = result.stderr.last.map { ": \($0)" } ?? ""
        return "bin/detect \(exitText(result.exitCode))\(said)"
    }

    static func exitText(_ code: Int32?) -> String {
        code.map { "exited with status \($0)" } ?? "did not exit normally"
    }

    private static func hintLines(_ hints: [String]) -> [String] {
        hints.isEmpty ? [] : ["Hints:"] + hints.map { "  " + $0 }
    }
}
