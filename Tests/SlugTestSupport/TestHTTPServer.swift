import Foundation

/// `Tests/http-server/serve.py` on a free local port: serves `root/files/`, stores PUTs in
/// `root/uploads/`, and answers with statuses, redirects, hangs and endless bodies on request
/// (the script's docstring lists its paths). Tests never reach the network.
// Sendable: its properties are fixed at init; what builds share through it is files on disk.
public final class TestHTTPServer: @unchecked Sendable {
    public let root: URL
    public let port: Int
    private let process: RunningApp

    public init(root: URL) throws {
        self.root = root
        port = freePort()
        try FileManager.default.createDirectory(at: root.appendingPathComponent("files"), withIntermediateDirectories: true)
        let script = packageRoot.appendingPathComponent("Tests/http-server/serve.py").path
        process = try RunningApp(executable: "/usr/bin/env", ["python3", script, "--port", String(port), "--root", root.path], port: port)
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if (try? httpGet(port: port, path: "/status/204")) != nil { return }
            usleep(50_000)
        }
        throw FixtureError(message: "the test HTTP server did not start: \(process.stop())")
    }

    deinit { process.stop() }

    /// `http://127.0.0.1:PORT/path`.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    /// Puts a file where `GET /files/<name>` serves it.
    @discardableResult
    public func serve(_ file: URL, as name: String) throws -> String {
        let destination = root.appendingPathComponent("files").appendingPathComponent(name)
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.copyItem(at: file, to: destination)
        return url("files/\(name)")
    }

    /// What `PUT /uploads/<name>` stored, or nil.
    public func uploaded(_ name: String) -> Data? {
        FileManager.default.contents(atPath: root.appendingPathComponent("uploads").appendingPathComponent(name).path)
    }

    public func stop() { process.stop() }
}
