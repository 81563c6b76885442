import Foundation

/// Colour and cursor escape sequences in what buildpacks print. They pass through to a terminal
/// (a classic buildpack's red error stays red), and are removed everywhere else — a file, a pipe,
/// a CI log, `--json` — and whenever `NO_COLOR` is set (no-color.org), so logs stay plain text.
enum ANSIEscapes {
    /// CSI (`ESC [ … final`), OSC (`ESC ] … BEL` or `ESC \`) and two-character escapes.
    private static let pattern = try? NSRegularExpression(
        pattern: "\u{1B}(?:\\[[0-?]*[ -/]*[@-~]|\\][^\u{07}\u{1B}]*(?:\u{07}|\u{1B}\\\\)|[@-Z\\\\-_])")
    /// The same sequences as `JSONEncoder` writes them inside a string (`\u001b[31m`).
    private static let jsonPattern = try? NSRegularExpression(pattern: "\\\\u001[bB](?:\\[[0-?]*[ -/]*[@-~]|[@-Z\\\\-_])")

    static func strip(_ text: String) -> String {
        // A byte scan: Foundation's String.contains(String) went through NSString and cost more
        // than everything else a line of buildpack output passes through (Benchmarks/output-flood.sh).
        guard text.utf8.contains(0x1B), let pattern else { return text }
        return pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
    }

    static func stripFromJSON(_ text: String) -> String {
        guard text.contains("\\u001"), let jsonPattern else { return text }
        return jsonPattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "")
    }

    /// Whether escapes may reach `descriptor`: a terminal, and the user did not ask for no colour.
    static func allowed(on descriptor: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        return isatty(descriptor) == 1
    }
}
