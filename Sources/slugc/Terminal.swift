import Foundation
import SlugKit

/// Writes lines to stdout or stderr; the only place slugc touches the terminal's streams.
final class Terminal: @unchecked Sendable {
    /// With `--json` or `-o -`, stdout is reserved for the JSON document or the slug, and logs go to stderr.
    let logsToStandardError: Bool
    /// With `--log-format json`: every log line is a JSON object on stderr.
    let buildLog: BuildLog?
    private let lock = NSLock()
    private var progressShown = false
    /// Whether colour escapes from buildpacks may reach each stream (ANSIEscapes).
    private let coloursOnStandardOutput = ANSIEscapes.allowed(on: STDOUT_FILENO)
    private let coloursOnStandardError = ANSIEscapes.allowed(on: STDERR_FILENO)

    init(json: Bool, logFormat: LogFormat = .text, slugOnStandardOutput: Bool = false) {
        logsToStandardError = json || slugOnStandardOutput || logFormat == .json
        buildLog = logFormat == .json ? BuildLog() : nil
    }

    convenience init(_ options: OutputOptions, slugOnStandardOutput: Bool = false) {
        self.init(json: options.json, logFormat: options.log.logFormat, slugOnStandardOutput: slugOnStandardOutput)
    }

    /// A log line (steps, details, buildpack output).
    func log(_ line: String) {
        if let buildLog { return entry { buildLog.message(Self.unprefixed(line), level: .info) } }
        write(line + "\n", to: logsToStandardError ? STDERR_FILENO : STDOUT_FILENO)
    }

    /// An error or warning line: always stderr.
    func error(_ line: String) {
        if let buildLog {
            let text = Self.unprefixed(line)
            let warning = text.hasPrefix("Warning: ")
            return entry { buildLog.message(warning ? String(text.dropFirst("Warning: ".count)) : text, level: warning ? .warning : .error) }
        }
        write(line + "\n", to: STDERR_FILENO)
    }

    /// One entry of the JSON log as a line on stderr, made and written under one lock so that
    /// lines from different threads appear in the order of their times.
    func entry(_ make: () -> BuildLogEntry?) {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = make() else { return }
        Self.writeAll(entry.jsonLine + "\n", to: STDERR_FILENO)
    }

    /// The single JSON document on stdout.
    func json(_ data: Data) {
        write(ANSIEscapes.stripFromJSON(String(decoding: data, as: UTF8.self)) + "\n", to: STDOUT_FILENO)
    }

    /// A line rewritten in place (packing progress); only on a terminal and never with --json.
    func progress(_ line: String) {
        guard !logsToStandardError, isatty(STDERR_FILENO) == 1 else { return }
        lock.lock()
        defer { lock.unlock() }
        progressShown = true
        Self.writeAll("\r\u{1B}[2K" + line, to: STDERR_FILENO)
    }

    private func write(_ text: String, to stream: Int32) {
        let colours = stream == STDOUT_FILENO ? coloursOnStandardOutput : coloursOnStandardError
        let text = colours ? text : ANSIEscapes.strip(text)
        lock.lock()
        defer { lock.unlock() }
        if progressShown {
            Self.writeAll("\r\u{1B}[2K", to: STDERR_FILENO)
            progressShown = false
        }
        Self.writeAll(text, to: stream)
    }

    /// Writes the whole text to a file descriptor, unbuffered. Plain write(2) rather than C's
    /// `stdout`/`stderr`, which are mutable globals Swift 6 will not share across threads; the
    /// callers hold `lock`, so lines never interleave.
    private static func writeAll(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return  // a closed pipe or a full disk: the log is best effort, the exit code tells
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// A Heroku-style line without its `-----> `, seven-space or ` !     ` prefix.
    static func unprefixed(_ line: String) -> String {
        for prefix in ["-----> ", " !     ", "       "] where line.hasPrefix(prefix) { return String(line.dropFirst(prefix.count)) }
        return line
    }
}

/// Renders build events Heroku-style: `-----> ` before a step, seven spaces before detail,
/// ` !     ` before warnings.
struct EventRenderer {
    let terminal: Terminal

    func render(_ event: BuildEvent) {
        if let buildLog = terminal.buildLog {
            terminal.entry { buildLog.entry(for: event) }
            return
        }
        switch event {
        case .step(let text): terminal.log("-----> " + text)
        case .detail(let text): terminal.log("       " + text)
        case .output(let line, _, _): terminal.log(Self.aligned(line))
        case .warning(let warning): terminal.error(" !     Warning: \(warning)")
        case .packProgress(let progress):
            let seconds = max(Double(progress.elapsed.components.seconds) + Double(progress.elapsed.components.attoseconds) / 1e18, 0.001)
            let rate = Int64(Double(progress.bytesIn) / seconds)
            terminal.progress("       Packing: \(ByteCount.format(progress.bytesIn)) in, \(ByteCount.format(progress.bytesOut)) out, \(ByteCount.format(rate))/s")
        case .stageStarted, .stageFinished, .buildpackFinished:
            break
        }
    }

    /// Buildpack output as Heroku shows it: the buildpack's own `-----> ` steps, ` !     `
    /// errors and indented details stay as they are; a raw tool line (`Collecting flask`) is
    /// indented so it reads as detail under the current step.
    static func aligned(_ line: String) -> String {
        if line.isEmpty || line.hasPrefix("-----> ") || line.hasPrefix(" !     ") || line.first == " " || line.first == "\t" {
            return line
        }
        return "       " + line
    }
}
