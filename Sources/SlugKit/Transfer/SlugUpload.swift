import Foundation

/// PUTs a finished slug to a pre-signed URL: the `blob.url` of a slug made with Heroku's
/// Platform API, or an S3 or GCS signed URL. A 5xx answer or a failed connection is tried again.
public struct SlugUpload: Sendable {
    public var url: URL
    /// Attempts in all.
    public var attempts = 4
    /// The wait before the second, third … attempt; the last one repeats.
    public var retryDelays: [Duration] = [.seconds(1), .seconds(4), .seconds(10)]
    /// For one attempt.
    public var timeout: Duration = .seconds(900)
    public var connectTimeout: Duration = .seconds(30)

    public init(url: URL) {
        self.url = url
    }

    /// The URL as messages show it: a signed URL's query is a credential, and build logs are kept.
    public var displayName: String { SourceLocation.redacted(url.absoluteString) }

    /// Fails before any work when the URL cannot take a PUT of the slug.
    func check() throws(UploadError) {
        // curl would append the file's name to a URL ending in "/": the slug would land elsewhere.
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.path ?? ""
        guard ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil, !path.hasSuffix("/"), !path.isEmpty else {
            throw UploadError.unsupportedURL(url: displayName)
        }
    }

    /// PUTs `file` with its exact length and no Content-Type (a signed URL fixes the headers it
    /// accepts), retrying 5xx answers and failed connections; returns the final HTTP status.
    func put(_ file: URL, scratch: URL, baseEnvironment: [String: String], events: BuildEventHandler) async throws -> Int {
        try check()
        guard let curl = Curl(baseEnvironment: baseEnvironment) else {
            throw UploadError.curlNotFound(url: displayName, searchPath: Curl.searchPath(baseEnvironment))
        }
        let body = scratch.appendingPathComponent("upload-response")
        defer { try? FileManager.default.removeItem(at: body) }
        let arguments = ["--upload-file", file.path, "--header", "Content-Type:", "--output", body.path, url.absoluteString]
        var last: Curl.Outcome = .failed(code: 0, message: "not attempted")
        for attempt in 1...max(1, attempts) {
            if attempt > 1 {
                let delay = retryDelays.isEmpty ? .zero : retryDelays[min(attempt - 2, retryDelays.count - 1)]
                events(.detail("\(Self.describe(last)); trying again in \(Self.format(delay)) (attempt \(attempt) of \(attempts))"))
                try await Task.sleep(for: delay)
            }
            last = try await curl.run(arguments, connectTimeout: connectTimeout, timeout: timeout)
            switch last {
            case let .status(status) where (200..<300).contains(status):
                return status
            case let .status(status) where status < 500:
                throw UploadError.rejected(url: displayName, status: status, body: Self.excerpt(of: body))
            default:
                continue
            }
        }
        if case let .status(status) = last { throw UploadError.failed(url: displayName, status: status, attempts: attempts) }
        if case let .failed(_, message) = last { throw UploadError.unreachable(url: displayName, reason: message, attempts: attempts) }
        throw UploadError.unreachable(url: displayName, reason: "no answer", attempts: attempts)
    }

    static func describe(_ outcome: Curl.Outcome) -> String {
        switch outcome {
        case let .status(status): return "The upload got HTTP \(status)\(HTTPStatus.reason(status).map { " " + $0 } ?? "")"
        case let .failed(_, message): return "The upload failed: \(message)"
        }
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : String(format: "%.1f s", Double(milliseconds) / 1000)
    }

    /// The start of the server's answer, on one line (S3 explains a refusal in a short XML document).
    static func excerpt(of file: URL) -> String {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: 600)) ?? Data()
        let text = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}

/// Why the slug could not be uploaded (exit 50; a URL that cannot take it is a usage error, 64).
public enum UploadError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedURL(url: String)
    case curlNotFound(url: String, searchPath: String)
    /// A 4xx answer: the request itself was wrong, so it is not tried again.
    case rejected(url: String, status: Int, body: String)
    /// 5xx answers, every attempt.
    case failed(url: String, status: Int, attempts: Int)
    case unreachable(url: String, reason: String, attempts: Int)

    public var description: String {
        switch self {
        case let .unsupportedURL(url):
            return "--upload \(url): slugc uploads to an http:// or https:// URL that names the object, such as the blob URL of a Heroku slug or a signed S3 or GCS URL."
        case let .curlNotFound(url, searchPath):
            return "Uploading to \(url) needs the curl program, and there is none on PATH (\(searchPath)). Install curl (apt-get install curl)."
        case let .rejected(url, status, body):
            let said = body.isEmpty ? "" : " The server said: \(body)"
            return "The upload to \(url) was refused: HTTP \(status)\(HTTPStatus.reason(status).map { " " + $0 } ?? "").\(said) A signed URL is made for one PUT of one object and expires: get a new one, then build again."
        case let .failed(url, status, attempts):
            return "The upload to \(url) failed: HTTP \(status)\(HTTPStatus.reason(status).map { " " + $0 } ?? "") on all \(attempts) attempts. The storage failed, not the request: try again later."
        case let .unreachable(url, reason, attempts):
            return "The upload to \(url) failed on all \(attempts) attempts: \(reason). Check the network and any proxy (HTTPS_PROXY), then try again."
        }
    }
}
