import Foundation

extension Buildpack {
    /// How the buildpack detects an app, one line per rule, nested rules indented by two
    /// spaces — what `slugc buildpacks` prints under each buildpack.
    ///
    /// ```
    /// any of:
    ///   file requirements.txt
    ///   glob *.py
    /// ```
    public var detectionSummary: [String] {
        switch detection {
        case .rules(let rule):
            return Self.lines(for: rule, depth: 0)
        case .script(let script):
            return ["bin/detect (classic buildpack): \(script.path)"]
        }
    }

    private static func lines(for rule: DetectionRule, depth: Int) -> [String] {
        let indent = String(repeating: "  ", count: depth)
        switch rule {
        case .any(let rules):
            return [indent + "any of:"] + rules.flatMap { lines(for: $0, depth: depth + 1) }
        case .all(let rules):
            return [indent + "all of:"] + rules.flatMap { lines(for: $0, depth: depth + 1) }
        case .not(let inner):
            return [indent + "not:"] + lines(for: inner, depth: depth + 1)
        default:
            return [indent + rule.description]
        }
    }
}
