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

extension DetectionRule: CustomStringConvertible {
    /// The rule as written, one line: "file requirements.txt", "any", "contains Package.swift /swift-tools-version/".
    public var description: String {
        switch self {
        case .file(let path): return "file \(path)"
        case .directory(let path): return "dir \(path)"
        case .glob(let pattern): return "glob \(pattern)"
        case let .contains(file, pattern): return "contains \(file) /\(pattern)/"
        case .any: return "any"
        case .all: return "all"
        case .not: return "not"
        }
    }

    /// What the rule looks for, compactly, for "No Cedar-supported app detected" listings:
    /// "requirements.txt, setup.py or glob *.py".
    public var summary: String {
        switch self {
        case .file(let path): return path
        case .directory(let path): return path + "/"
        case .glob(let pattern): return "glob \(pattern)"
        case let .contains(file, pattern): return "\(file) containing /\(pattern)/"
        case .any(let rules) where rules.count > Self.summaryLimit:
            // A loose rule (Python's 28 names) would fill the screen; explain lists every one.
            let shown = rules.prefix(Self.summaryLimit - 1).map(\.nestedSummary).joined(separator: ", ")
            return "\(shown) or \(rules.count - Self.summaryLimit + 1) more (slugc detect --explain lists them)"
        case .any(let rules): return Self.join(rules.map { $0.nestedSummary }, last: "or")
        case .all(let rules): return Self.join(rules.map { $0.nestedSummary }, last: "and")
        case .not(let rule): return "no \(rule.nestedSummary)"
        }
    }

    /// How many alternatives a summary names before it says "or N more".
    static let summaryLimit = 8

    /// Composite rules inside composite rules get parentheses so "a or (b and c)" stays readable.
    private var nestedSummary: String {
        switch self {
        case .any(let rules) where rules.count > 1, .all(let rules) where rules.count > 1: return "(\(summary))"
        default: return summary
        }
    }

    private static func join(_ parts: [String], last word: String) -> String {
        guard parts.count > 1, let final = parts.last else { return parts.first ?? "" }
        return parts.dropLast().joined(separator: ", ") + " \(word) " + final
    }

    /// Paths this rule wants to exist (file, dir and contains targets outside any `not`):
    /// the names near-miss hints look for.
    public var markers: [Marker] {
        switch self {
        case .file(let path), .contains(let path, _): return [Marker(path: path, isDirectory: false)]
        case .directory(let path): return [Marker(path: path, isDirectory: true)]
        case .glob: return []
        case .any(let rules), .all(let rules): return rules.flatMap(\.markers)
        case .not: return []
        }
    }

    /// A path a rule looks for, and whether it must be a folder.
    public struct Marker: Sendable, Hashable {
        public var path: String
        public var isDirectory: Bool
    }
}

/// Rule paths are relative to the app root and must stay inside it.
enum RulePath {
    /// Why `path` cannot be used in a rule, or nil when it can.
    static func problem(with path: String) -> String? {
        if path.isEmpty { return "the path is empty" }
        if path.hasPrefix("/") { return "'\(path)' is absolute; rule paths are relative to the app root, e.g. '\(path.drop(while: { $0 == "/" }))'" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains("..") { return "'\(path)' contains '..'; rule paths must stay inside the app" }
        if parts.contains("") { return "'\(path)' has an empty segment ('//' or a trailing '/'); write it without" }
        if parts.contains(".") { return "'\(path)' contains '.' segments; write the path without them" }
        return nil
    }
}
