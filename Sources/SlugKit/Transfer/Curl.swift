import Foundation

/// HTTP through the `curl` program, run by `ChildProcess` like every other child: its own
/// process group, an explicit environment, cancellation and timeouts ending it.
///
/// curl rather than URLSession because a signed S3/GCS URL wants a PUT with a Content-Length
/// and no chunked encoding, streamed from disk (`--upload-file` does exactly that); redirects,
/// size limits and timeouts are flags with well-known behaviour; and its messages ("Could not
/// resolve host") are the ones people search for. Debian and Heroku's stack images ship it.
struct Curl: Sendable {
    let executable: String
    let environment: [String: String]

    /// How one request ended: the HTTP status of the last response, or curl's own failure.
    enum Outcome: Equatable {
        case status(Int)
        /// curl's exit code and the sentence it wrote ("Failed to connect to … port 80 …").
        case failed(code: Int32, message: String)

        /// curl's codes for "no answer in time", "too many redirects" and "larger than --max-filesize".
        static let timedOut: Int32 = 28
        static let tooManyRedirects: Int32 = 47
        static let tooLarge: Int32 = 63
    }

    /// The variables curl may need from this process (proxies, CA bundles), and nothing else;
    /// `--disable` (always first) keeps `~/.curlrc` out.
    init?(baseEnvironment: [String: String]) {
        let path = baseEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let found = Self.find("curl", in: path) else { return nil }
        executable = found
        var environment = ["PATH": path, "LANG": "C", "LC_ALL": "C"]
        if let home = baseEnvironment["HOME"] { environment["HOME"] = home }
        let passed = ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy", "no_proxy", "NO_PROXY",
                      "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE"]
        let current = ProcessInfo.processInfo.environment
        for key in passed { if let value = baseEnvironment[key] ?? current[key] { environment[key] = value } }
        self.environment = environment
    }

    static func searchPath(_ baseEnvironment: [String: String]) -> String {
        baseEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
    }

    /// Runs one request; `arguments` are the request's own (method, body, output file, URL).
    func run(_ arguments: [String], connectTimeout: Duration, timeout: Duration) async throws -> Outcome {
        let common = ["--disable", "--silent", "--show-error", "--proto", "=http,https",
                      "--connect-timeout", String(Self.seconds(connectTimeout)), "--max-time", String(Self.seconds(timeout)),
                      "--write-out", "%{http_code}\\n"]
        // curl stops itself at --max-time; the runner's limit is only a backstop.
        let process = ChildProcess(executable: executable, arguments: common + arguments, environment: environment,
                                   timeout: timeout + .seconds(15), capturesOutput: true)
        let outcome = try await process.run()
        let message = outcome.errorTail.last.map(Self.sentence) ?? outcome.summary
        if outcome.timedOut { return .failed(code: Outcome.timedOut, message: "timed out") }
        guard let code = outcome.exitCode else { return .failed(code: -1, message: "curl \(outcome.summary)") }
        guard code == 0 else { return .failed(code: code, message: message) }
        let written = outcome.capturedOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let status = Int(written), status > 0 else { return .failed(code: 0, message: "no HTTP response") }
        return .status(status)
    }

    /// "curl: (7) Failed to connect to host port 80" → "Failed to connect to host port 80".
    static func sentence(_ line: String) -> String {
        guard line.hasPrefix("curl: ("), let close = line.firstIndex(of: ")") else { return line }
        return line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
    }

    /// Whole seconds, at least one (curl takes fractions too, but messages speak in seconds).
    static func seconds(_ duration: Duration) -> Int64 {
        max(1, duration.components.seconds + (duration.components.attoseconds > 0 ? 1 : 0))
    }

    static func find(_ name: String, in path: String) -> String? {
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
