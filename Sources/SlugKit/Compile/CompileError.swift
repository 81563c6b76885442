import Foundation

/// Why the compile stage failed: exit 30, or 31 for a timeout or cancellation.
public enum CompileError: Error, Sendable, Equatable {
    /// `bin/compile` (or an app hook) exited non-zero or was killed.
    case scriptFailed(buildpack: String, script: String, outcome: String, errorTail: [String])
    case timedOut(buildpack: String, script: String, seconds: Int)
    case cancelled
    case invalidConfigVar(name: String, reason: String)
    case unreadableEnvDirectory(path: String, reason: String)
    case io(path: String, reason: String)
}

extension CompileError: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .scriptFailed(buildpack, script, outcome, _):
            return "Failed to compile app with buildpack \(buildpack): \(script) \(outcome). The lines above show what went wrong; fix it in the app, or run the build again with the buildpack's own debug settings."
        case let .timedOut(buildpack, script, seconds):
            return "Compile with buildpack \(buildpack) timed out: \(script) was still running after \(seconds)s and was stopped. Raise --timeout, or make the build faster (a --cache-dir keeps dependencies between builds)."
        case .cancelled:
            return "The build was cancelled; nothing was written."
        case let .invalidConfigVar(name, reason):
            return "Config var \"\(name)\" cannot be used: \(reason)."
        case let .unreadableEnvDirectory(path, reason):
            return "\(path): \(reason). --env-dir must be a folder holding one file per config var."
        case let .io(path, reason):
            return "\(path): \(reason)"
        }
    }
}
