import Foundation
import Subprocess
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Which of a child's output streams a line came from.
public enum OutputStream: String, Sendable, Codable {
    case standardOutput = "stdout"
    case standardError = "stderr"
}

/// How a child process ended.
public struct ChildProcessOutcome: Sendable, Equatable {
    /// The exit code, or nil when a signal ended it.
    public var exitCode: Int32?
    /// The signal that ended it, if any.
    public var signal: Int32?
    /// True when the runner ended it because its time ran out.
    public var timedOut: Bool
    /// Everything it wrote to stdout, when the caller asked to capture it.
    public var capturedOutput: String
    /// The last lines it wrote to stderr (bounded), for error messages.
    public var errorTail: [String]

    public var succeeded: Bool { exitCode == 0 && !timedOut }

    /// "exited with status 3" / "was killed by signal 9" / "timed out", for messages.
    public var summary: String {
        if timedOut { return "timed out" }
        if let signal { return "was killed by signal \(signal)" }
        return "exited with status \(exitCode ?? -1)"
    }
}

/// Runs buildpack scripts and apps: every child in its own process group, output streamed
/// line by line, an explicit environment, and timeout or task cancellation ending the whole
/// group — so no build leaves a stray process behind.
public struct ChildProcess: Sendable {
    public var executable: String
    public var arguments: [String]
    /// The complete environment; the parent's is never inherited.
    public var environment: [String: String]
    public var workingDirectory: URL?
    public var timeout: Duration?
    /// Keep stdout in `capturedOutput` as well as streaming it.
    public var capturesOutput: Bool
    /// Signals to pass on to the child's whole process group while it runs (`slugc run`
    /// forwards SIGINT and SIGTERM this way).
    public var forwardedSignals: AsyncStream<Int32>?

    public init(
        executable: String, arguments: [String] = [], environment: [String: String],
        workingDirectory: URL? = nil, timeout: Duration? = nil, capturesOutput: Bool = false
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeout = timeout
        self.capturesOutput = capturesOutput
        self.forwardedSignals = nil
    }

    /// Starts the child and waits for it; `onLine` sees each line as it is written.
    ///
    /// Throws `CancellationError` when the calling task is cancelled (after the group is killed),
    /// and `ChildProcessError` when the program cannot be started.
    public func run(onLine: @escaping @Sendable (OutputStream, String) -> Void = { _, _ in }) async throws -> ChildProcessOutcome {
        var options = PlatformOptions()
        options.processGroupID = 0  // a group of its own, so one signal reaches every descendant
        options.teardownSequence = [
            .send(signal: .terminate, toProcessGroup: true, allowedDurationToNextStep: .seconds(2)),
        ]
        let configuration = Configuration(
            executable: executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(arguments),
            environment: .custom(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) })),
            workingDirectory: workingDirectory.map { FilePath($0.path) },
            platformOptions: options
        )
        let captures = capturesOutput
        let limit = timeout
        let signals = forwardedSignals
        let result: ExecutionResult<(String, [String], Bool), SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) { execution in
                try await withThrowingTaskGroup(of: StreamResult.self) { group in
                    group.addTask {
                        var captured = ""
                        for try await line in execution.standardOutput.strings() {
                            onLine(.standardOutput, line)
                            if captures { captured += line + "\n" }
                        }
                        return .output(captured)
                    }
                    group.addTask {
                        var tail: [String] = []
                        for try await line in execution.standardError.strings() {
                            onLine(.standardError, line)
                            tail.append(line)
                            if tail.count > 40 { tail.removeFirst() }
                        }
                        return .errorTail(tail)
                    }
                    if let limit {
                        group.addTask {
                            // Cancelled once both streams ended: the child finished in time. Returning
                            // (not throwing) keeps group.next() from rethrowing the CancellationError.
                            guard (try? await Task.sleep(for: limit)) != nil, !Task.isCancelled else { return .timerStopped }
                            try? execution.send(signal: .terminate, toProcessGroup: true)
                            try? await Task.sleep(for: .seconds(2))
                            try? execution.send(signal: .kill, toProcessGroup: true)
                            return .timedOut
                        }
                    }
                    if let signals {
                        group.addTask {
                            for await signal in signals {
                                try? execution.send(signal: Signal(rawValue: signal), toProcessGroup: true)
                            }
                            return .signalsEnded
                        }
                    }
                    var output = "", tail: [String] = [], timedOut = false, streamsDone = 0
                    while let next = try await group.next() {
                        switch next {
                        case .output(let text): output = text; streamsDone += 1
                        case .errorTail(let lines): tail = lines; streamsDone += 1
                        case .timedOut: timedOut = true
                        case .signalsEnded: break
                        case .timerStopped: break
                        }
                        if streamsDone == 2 { group.cancelAll() }
                    }
                    return (output, tail, timedOut)
                }
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as SubprocessError {
            if Task.isCancelled { throw CancellationError() }
            throw ChildProcessError(executable: executable, reason: String(describing: error))
        }
        let pid = result.processIdentifier.value
        // The leader is gone; anything it left running in its group goes with it.
        _ = kill(-pid, SIGKILL)
        if Task.isCancelled { throw CancellationError() }
        var outcome = ChildProcessOutcome(
            exitCode: nil, signal: nil, timedOut: result.closureResult.2,
            capturedOutput: result.closureResult.0, errorTail: result.closureResult.1)
        switch result.terminationStatus {
        case .exited(let code): outcome.exitCode = code
        case .signaled(let signal): outcome.signal = signal
        }
        return outcome
    }

    private enum StreamResult: Sendable {
        case output(String)
        case errorTail([String])
        case timedOut
        case signalsEnded
        case timerStopped
    }
}

/// A child process that could not be started at all.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public var executable: String
    public var reason: String
    public var description: String { "could not start \(executable): \(reason)" }
}
