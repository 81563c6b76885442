import Foundation

/// Limits for a source tarball downloaded over HTTP.
public struct DownloadOptions: Sendable {
    /// Bytes; a larger download is stopped (1 GiB: twice Heroku's largest slug).
    public var maxSize: Int64 = 1 << 30
    /// For the whole download.
    public var timeout: Duration = .seconds(600)
    public var connectTimeout: Duration = .seconds(30)
    public var maxRedirects = 10

    public init() {}
}

/// Downloads a source tarball to a file: redirects followed (http and https only), the size
/// limited while it arrives, and every failure a `SourceError` that names the URL without its query.
struct SourceDownload {
    var url: URL
    var options: DownloadOptions
    var baseEnvironment: [String: String]

    /// How often the file's size is checked while a server that sent no Content-Length keeps sending.
    static let sizeCheckInterval: Duration = .milliseconds(100)

    func fetch(to file: URL) async throws -> Int64 {
        let shown = SourceLocation.redacted(url.absoluteString)
        guard let curl = Curl(baseEnvironment: baseEnvironment) else {
            throw SourceError.curlNotFound(url: shown, searchPath: Curl.searchPath(baseEnvironment))
        }
        let arguments = ["--location", "--max-redirs", String(options.maxRedirects), "--proto-redir", "=http,https",
                         "--max-filesize", String(options.maxSize), "--output", file.path, url.absoluteString]
        let limit = options.maxSize
        // curl's --max-filesize stops a download whose Content-Length is too large; one without a
        // length is watched here and stopped once the file passes the limit.
        let outcome: Curl.Outcome? = try await withThrowingTaskGroup(of: Curl.Outcome?.self) { group in
            group.addTask { try await curl.run(arguments, connectTimeout: options.connectTimeout, timeout: options.timeout) }
            group.addTask {
                while true {
                    try await Task.sleep(for: Self.sizeCheckInterval)
                    if Self.size(of: file) > limit { return nil }
                }
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return nil }
            return first
        }
        let size = Self.size(of: file)
        switch outcome {
        case nil:
            throw SourceError.downloadTooLarge(url: shown, limit: limit)
        case let .failed(code, message)?:
            switch code {
            case Curl.Outcome.timedOut: throw SourceError.downloadTimedOut(url: shown, seconds: Int(Curl.seconds(options.timeout)))
            case Curl.Outcome.tooManyRedirects: throw SourceError.tooManyRedirects(url: shown, limit: options.maxRedirects)
            case Curl.Outcome.tooLarge: throw SourceError.downloadTooLarge(url: shown, limit: limit)
            default: throw SourceError.downloadUnreachable(url: shown, reason: message)
            }
        case let .status(status)?:
            guard (200..<300).contains(status) else { throw SourceError.downloadStatus(url: shown, status: status) }
            guard size <= limit else { throw SourceError.downloadTooLarge(url: shown, limit: limit) }
            return size
        }
    }

    static func size(of file: URL) -> Int64 {
        var info = stat()
        return stat(file.path, &info) == 0 ? Int64(info.st_size) : 0
    }
}
