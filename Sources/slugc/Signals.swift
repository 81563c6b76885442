import Dispatch
import Foundation

/// SIGINT and SIGTERM as an async stream, so a build can be cancelled cleanly (its temp
/// folder removed, its children killed) and `slugc run` can pass them on to the app.
final class SignalWatcher: @unchecked Sendable {
    let signals: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    private var sources: [DispatchSourceSignal] = []

    init(_ numbers: [Int32] = [SIGINT, SIGTERM]) {
        (signals, continuation) = AsyncStream<Int32>.makeStream()
        for number in numbers {
            signal(number, SIG_IGN)  // the dispatch source sees it instead of the default handler
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            let continuation = self.continuation
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        continuation.finish()
        sources.forEach { $0.cancel() }
    }

    /// Runs `body`; the first signal cancels it. Returns the signal that cancelled it, if any.
    func cancelling<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let watcher = Task { [signals] in
            for await _ in signals {
                task.cancel()
                break
            }
        }
        defer { watcher.cancel() }
        return try await task.value
    }
}
