import Foundation

/// One detection rule from `buildpack.yml`. Every rule, when evaluated, yields pass or fail
/// with a reason, so `slugc detect --explain` can show why.
public indirect enum DetectionRule: Sendable, Equatable {
    /// `file: requirements.txt` — a regular file at this path (relative to the app root).
    case file(String)
    /// `dir: public` — a folder at this path.
    case directory(String)
    /// `glob: "*.html"` — at least one path matches.
    case glob(String)
    /// `contains: {file: Package.swift, pattern: "swift-tools-version"}` — the file exists and a line matches the regular expression.
    case contains(file: String, pattern: String)
    case any([DetectionRule])
    case all([DetectionRule])
    case not(DetectionRule)
}
