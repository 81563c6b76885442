import Foundation

/// The top-level `.slugignore`: gitignore-like patterns naming what to leave out of the slug.
///
/// Supported, as Heroku documents: blank lines and `#` comments, `*` `?` `[..]` within a
/// segment, `**` across segments, a leading `/` anchoring to the app root, a trailing `/`
/// matching folders only, and a pattern without `/` matching a name at any depth.
/// Negation (`!`) is not supported: such lines are skipped and reported in `warnings`.
/// A path inside an ignored folder is ignored too.
public struct SlugIgnore: Sendable, Equatable {
    /// One usable line of the file.
    public struct Rule: Sendable, Equatable {
        /// The line as written (trimmed).
        public var text: String
        /// 1-based line number in `.slugignore`.
        public var line: Int
        /// True when the pattern ended in `/`: it matches folders only.
        public var directoryOnly: Bool
        var pattern: PathPattern
    }

    /// A line that names nothing slugc will leave out, and why.
    public struct SkippedLine: Sendable, Equatable {
        /// 1-based line number in `.slugignore`.
        public var line: Int
        /// A sentence that quotes the line ("'!keep.txt' uses negation, …").
        public var message: String
    }

    public private(set) var rules: [Rule] = []
    /// The lines that were skipped, for the build's warnings (`.slugignore:4: …`).
    public private(set) var skippedLines: [SkippedLine] = []
    /// The same as sentences that start with the line ("line 4: '!keep.txt' …").
    public var warnings: [String] { skippedLines.map { "line \($0.line): \($0.message)" } }

    /// True when no line names anything to leave out.
    public var isEmpty: Bool { rules.isEmpty }
    /// How many usable patterns the file has, for "Applying .slugignore (3 patterns)".
    public var patternCount: Int { rules.count }

    /// Parses the text of a `.slugignore`.
    public init(text: String) {
        var number = 0
        // "\r\n" is one Character in Swift, so split on both forms.
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            var line = rawLine
            // Trailing spaces are dropped unless escaped, as git does; leading ones are kept.
            while line.hasSuffix(" "), !line.hasSuffix("\\ ") { line = line.dropLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("!") {
                skippedLines.append(SkippedLine(line: number, message: "'\(line)' uses negation, which .slugignore does not support; the line is skipped."))
                continue
            }
            if line.hasPrefix("\\#") || line.hasPrefix("\\!") { line = line.dropFirst() }
            var body = line
            let directoryOnly = body.hasSuffix("/")
            while body.hasSuffix("/") { body = body.dropLast() }
            let anchored = body.hasPrefix("/") || body.contains("/")
            while body.hasPrefix("/") { body = body.dropFirst() }
            var segments = PathPattern(String(body)).segments
            if segments.isEmpty || segments.contains("..") {
                skippedLines.append(SkippedLine(line: number, message: "'\(line)' names no path inside the app; the line is skipped."))
                continue
            }
            segments.removeAll { $0 == "." }
            if !anchored { segments.insert("**", at: 0) }
            rules.append(Rule(text: String(line), line: number, directoryOnly: directoryOnly, pattern: PathPattern(segments: segments)))
        }
    }

    /// Reads `file`; a file that does not exist means nothing is ignored. A symlink leading out
    /// of the folder `file` is in is not followed.
    public init(contentsOf file: URL) throws {
        switch AppFile.read(file.lastPathComponent, in: file.deletingLastPathComponent()) {
        case .missing: self.init(text: "")
        case let .contents(data): self.init(text: String(decoding: data, as: UTF8.self))
        case let .leavesFolder(target): throw SourceError.appFileLeavesApp(file: file.lastPathComponent, target: target)
        case .notAFile, .unreadable: throw CompileError.io(path: file.path, reason: "cannot be read; .slugignore must be a readable text file")
        }
    }

    /// Whether `relativePath` (from the app root, `/`-separated) is left out, and the line of
    /// the first pattern that says so.
    public func matches(_ relativePath: String, isDirectory: Bool) -> (matched: Bool, line: Int?) {
        let path = relativePath.split(separator: "/").map(String.init).filter { $0 != "." }
        guard !path.isEmpty else { return (false, nil) }
        for rule in rules {
            // The path itself, then each folder above it: ignoring a folder ignores its contents.
            for length in stride(from: path.count, through: 1, by: -1) {
                let folder = length < path.count || isDirectory
                if rule.directoryOnly && !folder { continue }
                if rule.pattern.matches(Array(path[0..<length])) { return (true, rule.line) }
            }
        }
        return (false, nil)
    }
}
