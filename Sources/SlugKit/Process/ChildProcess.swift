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
    /// The forwarded SIGTERM or SIGINT it outlived by the grace period, and was then killed for.
    public var killedAfterSignal: Int32?

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
    /// How long after a forwarded SIGTERM or SIGINT the group gets SIGKILL; nil waits forever.
    public var signalGracePeriod: Duration?

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
        self.signalGracePeriod = nil
    }

    /// Starts the child and waits for it; `onLine` sees each line as it is written (a line
    /// longer than 64 KiB in pieces of that size).
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
        let grace = signalGracePeriod
        let started = StartedFlag()
        OrphanReaper.leaders.willSpawn()
        let result: ExecutionResult<StreamTotals, SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(configuration, input: .none, output: .sequence, error: .sequence) { execution in
                OrphanReaper.leaders.spawned(execution.processIdentifier.value)
                started.set(execution.processIdentifier.value)
                return try await withThrowingTaskGroup(of: StreamResult.self) { group in
                    group.addTask {
                        var captured = Data()
                        var splitter = OutputLineSplitter()
                        for try await chunk in execution.standardOutput {
                            chunk.withUnsafeBytes { bytes in
                                if captures { captured.append(contentsOf: bytes) }
                                splitter.feed(bytes) { onLine(.standardOutput, $0) }
                            }
                        }
                        splitter.finish { onLine(.standardOutput, $0) }
                        return .output(String(decoding: captured, as: UTF8.self))
                    }
                    group.addTask {
                        var tail: [String] = []
                        var splitter = OutputLineSplitter()
                        let keep: (String) -> Void = { line in
                            onLine(.standardError, line)
                            tail.append(line)
                            if tail.count > 40 { tail.removeFirst() }
                        }
                        for try await chunk in execution.standardError {
                            chunk.withUnsafeBytes { splitter.feed($0, emit: keep) }
                        }
                        splitter.finish(emit: keep)
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
                            await Self.forward(signals, grace: grace) { try? execution.send(signal: $0, toProcessGroup: true) }
                        }
                    }
                    var totals = StreamTotals(), streamsDone = 0
                    while let next = try await group.next() {
                        switch next {
                        case .output(let text): totals.output = text; streamsDone += 1
                        case .errorTail(let lines): totals.errorTail = lines; streamsDone += 1
                        case .timedOut: totals.timedOut = true
                        case .signalsEnded(let killed): totals.killedAfterSignal = killed
                        case .timerStopped: break
                        }
                        if streamsDone == 2 { group.cancelAll() }
                    }
                    return totals
                }
            }
        } catch is CancellationError {
            started.leaderEnded()
            await OrphanReaper.killAdoptedOrphans()
            throw CancellationError()
        } catch let error as SubprocessError {
            started.leaderEnded()
            await OrphanReaper.killAdoptedOrphans()
            if Task.isCancelled { throw CancellationError() }
            let failure = started.isSet ? StartFailure.other(reason: String(describing: error))
                : StartFailure.diagnose(resolvedExecutable, fallback: String(describing: error))
            throw ChildProcessError(executable: executable, failure: failure)
        } catch {
            started.leaderEnded()
            await OrphanReaper.killAdoptedOrphans()
            throw error
        }
        let pid = result.processIdentifier.value
        OrphanReaper.leaders.ended(pid)
        // The leader is gone; anything it left running in its group goes with it, and what left
        // the group goes too when this process adopts orphans (OrphanReaper).
        _ = kill(-pid, SIGKILL)
        await OrphanReaper.killAdoptedOrphans()
        if Task.isCancelled { throw CancellationError() }
        let totals = result.closureResult
        var outcome = ChildProcessOutcome(
            exitCode: nil, signal: nil, timedOut: totals.timedOut,
            capturedOutput: totals.output, errorTail: totals.errorTail)
        outcome.killedAfterSignal = totals.killedAfterSignal
        switch result.terminationStatus {
        case .exited(let code): outcome.exitCode = code
        case .signaled(let signal): outcome.signal = signal
        }
        return outcome
    }

    /// The program as the kernel gets it: a bare name is looked up on the child's PATH.
    private var resolvedExecutable: String {
        guard !executable.contains("/") else { return executable }
        for folder in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(folder)/\(executable)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return executable
    }

    /// Passes each signal on to the child's group. After the first SIGTERM or SIGINT, a child
    /// still running when `grace` has passed gets SIGKILL, as a dyno's processes do 30 s after
    /// SIGTERM. Returns (when the child has ended) the signal it was killed after, if it was.
    private static func forward(_ signals: AsyncStream<Int32>, grace: Duration?,
                                send: @escaping @Sendable (Signal) -> Void) async -> StreamResult {
        await withTaskGroup(of: Int32?.self) { escalation in
            var armed = false
            for await signal in signals {
                send(Signal(rawValue: signal))
                guard let grace, !armed, signal == SIGTERM || signal == SIGINT else { continue }
                armed = true
                escalation.addTask {
                    guard (try? await Task.sleep(for: grace)) != nil, !Task.isCancelled else { return nil }
                    send(.kill)
                    return signal
                }
            }
            // The streams have ended (this task was cancelled): the timer, if any, is cancelled too.
            escalation.cancelAll()
            var killed: Int32?
            for await result in escalation { killed = killed ?? result }
            return .signalsEnded(killed: killed)
        }
    }

    private struct StreamTotals: Sendable {
        var output = ""
        var errorTail: [String] = []
        var timedOut = false
        var killedAfterSignal: Int32?
    }

    private enum StreamResult: Sendable {
        case output(String)
        case errorTail([String])
        case timedOut
        case signalsEnded(killed: Int32?)
        case timerStopped
    }
}

/// A child process that could not be started at all.
public struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    public var executable: String
    /// Why, read from the program file where it can be (a missing interpreter, a CR in `#!`).
    public var failure: StartFailure
    public var reason: String { failure.description }
    public var description: String { "could not start \(executable): \(reason)" }
}

/// Set once the child has been spawned: an error after that is not a failure to start.
private final class StartedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t?
    var isSet: Bool { lock.withLock { pid != nil } }
    func set(_ pid: pid_t) { lock.withLock { self.pid = pid } }

    /// On an error: the child is no longer one of `OrphanReaper.leaders` (or never became one).
    func leaderEnded() {
        if let pid = lock.withLock({ pid }) { OrphanReaper.leaders.ended(pid) } else { OrphanReaper.leaders.spawnFailed() }
    }
}
