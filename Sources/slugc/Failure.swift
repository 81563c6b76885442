import ArgumentParser
import Foundation
import SlugKit

/// The one place that maps every error to slugc's exit codes (DESIGN.md section 2) and
/// renders it: ` !     ` lines on stderr, and with --json a JSON document on stdout.
enum Failure {
    static func exitCode(for error: Error) -> Int32 {
        switch error {
        case let error as RunError:
            // A mount that fails once the namespace exists is this machine's problem, not the user's words.
            if case .rootFilesystemSetupFailed = error { return 1 }
            return 64
        case is SourceError, is ValidationError: return 64
        case is TestError: return 30
        case let error as DetectError:
            switch error {
            case .noBuildpackDetected, .notCompatible, .unknownBuildpack: return 20
            case .detectScriptFailed, .invalidBuildpack: return 21
            }
        case let error as CompileError:
            switch error {
            case .timedOut, .cancelled: return 31
            case .invalidConfigVar, .unreadableEnvDirectory: return 64
            case .scriptFailed, .missingRequirement, .scriptNotExecutable, .scriptCannotStart, .badCacheLink, .io: return 30
            }
        case is CancellationError: return 31
        case is ReleaseError, is ProcfileError: return 40
        case let error as UploadError:
            if case .unsupportedURL = error { return 64 }
            return 50
        case let error as PackError:
            if case .tooLarge = error { return 51 }
            if case .cancelled = error { return 31 }
            return 50
        default: return 1
        }
    }

    /// Prints the error and returns the ExitCode to throw.
    static func report(_ error: Error, terminal: Terminal, json: Bool) -> ExitCode {
        let code = exitCode(for: error)
        // A stage that stops at Task.checkCancellation throws the bare CancellationError.
        let message = error is CancellationError ? CompileError.cancelled.description : String(describing: error)
        for (index, line) in message.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            terminal.error((index == 0 ? " !     " : " !     ") + line)
        }
        if json {
            var document: [String: Any] = ["error": ["exit_code": code, "message": message]]
            if case let .noBuildpackDetected(report)? = error as? DetectError, let encoded = encode(report) {
                document["detection"] = encoded
            } else if case let .notCompatible(_, report)? = error as? DetectError, let encoded = encode(report) {
                document["detection"] = encoded
            }
            if let data = try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]) {
                terminal.json(data)
            }
        }
        return ExitCode(code)
    }

    private static func encode<T: Encodable>(_ value: T) -> Any? {
        guard let data = try? JSONEncoder().encode(value) else { return nil }
        return try? JSONSerialization.jsonObject(with: data)
    }
}
