import Foundation

/// Why the compile stage failed: exit 30, or 31 for a timeout or cancellation.
public enum CompileError: Error, Sendable, Equatable {
    /// `bin/compile` (or an app hook) exited non-zero or was killed.
    case scriptFailed(buildpack: String, script: String, outcome: String, errorTail: [String])
    /// A script that exists but cannot be run (usually a lost executable bit).
    case scriptNotExecutable(buildpack: String, script: String)
    /// The kernel would not run it; `reason` says why (`StartFailure`: the interpreter its `#!`
    /// names is missing, the `#!` line ends in CR …).
    case scriptCannotStart(buildpack: String, script: String, reason: String)
    /// `bin/compile` failed after detection had said what it would miss (`requires` in buildpack.yml).
    case missingRequirement(buildpack: String, script: String, outcome: String, needs: String, hints: [String])
    case timedOut(buildpack: String, script: String, seconds: Int)
    case cancelled
    /// A path a buildpack listed in `SLUGC_CACHE_LINKS` (`CacheLinks`) that slugc cannot pack
    /// as a folder of its cache.
    case badCacheLink(buildpack: String, line: Int, entry: String, reason: String)
    case invalidConfigVar(name: String, reason: String)
    case unreadableEnvDirectory(path: String, reason: String)
    case io(path: String, reason: String)
}

extension CompileError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .scriptFailed("app", script, outcome, _):
            return "The app's \(script) hook \(outcome). The lines above show what it printed; fix the hook, or remove it if the build does not need it."
        case let .scriptNotExecutable("app", script):
            return "The app's \(script) hook is not executable. Run chmod +x \(script) and commit it."
        case let .scriptNotExecutable(buildpack, script):
            return "\(script) of buildpack \(buildpack) is missing or not executable. A buildpack needs an executable \(script); run chmod +x on it."
        case let .scriptCannotStart("app", script, reason):
            return "The app's \(script) hook could not be started: \(reason)."
        case let .scriptCannotStart(buildpack, script, reason):
            return "\(script) of buildpack \(buildpack) could not be started: \(reason)."
        case let .scriptFailed(buildpack, script, outcome, _):
            return "Failed to compile app with buildpack \(buildpack): \(script) \(outcome). The buildpack's messages above say what went wrong and what to change."
        case let .missingRequirement(buildpack, script, outcome, needs, hints):
            var lines = ["Failed to compile app with buildpack \(buildpack): \(script) \(outcome). It needs \(needs) at the app root, and the app has none; the buildpack's messages above say more."]
            if !hints.isEmpty { lines += ["Hints:"] + hints.map { "  " + $0 } }
            return lines.joined(separator: "\n")
        case let .timedOut("app", script, seconds):
            return "The app's \(script) hook timed out: it was still running after \(seconds)s and was stopped. Raise --timeout, or make the hook faster."
        case let .timedOut(buildpack, script, seconds):
            return "Compile with buildpack \(buildpack) timed out: \(script) was still running after \(seconds)s and was stopped. Raise --timeout, or make the build faster (a --cache-dir keeps dependencies between builds)."
        case .cancelled:
            return "The build was cancelled; nothing was written."
        case let .badCacheLink(buildpack, line, entry, reason):
            return "Buildpack \(buildpack) listed \"\(entry)\" on line \(line) of its $\(CacheLinks.environmentKey) file, but \(reason). Each line must be the path, relative to BUILD_DIR, of a symlink to a folder in the buildpack's CACHE_DIR; fix the buildpack, or have it copy the folder instead."
        case let .invalidConfigVar(name, reason):
            return "Config var \"\(name)\" cannot be used: \(reason)."
        case let .unreadableEnvDirectory(path, reason):
            return "\(path): \(reason). --env-dir must be a folder holding one file per config var."
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
