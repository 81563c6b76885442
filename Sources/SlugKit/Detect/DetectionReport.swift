import Foundation

/// The result of one rule: pass or fail, with a reason a person can act on.
public struct RuleResult: Sendable, Equatable, Codable {
    /// The rule as written ("file requirements.txt").
    public var rule: String
    public var passed: Bool
    /// "requirements.txt: found" / "requirements.txt: not found".
    public var reason: String
    /// For `any`, `all`, `not`: the results of the rules inside.
    public var children: [RuleResult]

    public init(rule: String, passed: Bool, reason: String, children: [RuleResult] = []) {
        self.rule = rule
        self.passed = passed
        self.reason = reason
        self.children = children
    }

    /// The deepest results that decided a failure: for `any`, every child; for `all`, the failing ones.
    public var failingLeaves: [RuleResult] {
        guard !passed else { return [] }
        if children.isEmpty || rule == "not" { return [self] }
        return children.flatMap(\.failingLeaves)
    }
}

/// What one buildpack's detection said.
public struct BuildpackDetection: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var matched: Bool
    /// Declarative buildpacks: every rule's result.
    public var rules: [RuleResult]
    /// Classic buildpacks: `bin/detect`'s exit code, stdout (the framework name) and stderr.
    public var exitCode: Int32?
    public var framework: String?
    public var stderr: [String]
    /// What the buildpack looks for, compactly ("requirements.txt, setup.py or glob *.py"); nil for classic ones.
    public var lookedFor: String?
    /// Classic buildpacks: the path of `bin/detect`.
    public var script: String?
    /// Set when `bin/detect` failed rather than answering: "exited with status 3", "timed out" …
    public var failure: String?
    /// A matching buildpack's `requires` rule (empty when it has none or did not match): what
    /// compile needs at the app root.
    public var requirement: [RuleResult] = []
    /// What `requires` asks for, compactly ("requirements.txt"); nil without one.
    public var required: String?

    /// False when the buildpack matched but compile will fail for want of a file it requires.
    public var requirementMet: Bool { requirement.allSatisfy(\.passed) }

    public init(id: String, name: String, matched: Bool, rules: [RuleResult] = [],
                exitCode: Int32? = nil, framework: String? = nil, stderr: [String] = [],
                lookedFor: String? = nil, script: String? = nil, failure: String? = nil) {
        self.id = id
        self.name = name
        self.matched = matched
        self.rules = rules
        self.exitCode = exitCode
        self.framework = framework
        self.stderr = stderr
        self.lookedFor = lookedFor
        self.script = script
        self.failure = failure
    }

    /// "Python (python)", or just the id when name and id are the same (classic buildpacks).
    public var displayName: String {
        name == id ? id : "\(name) (\(id))"
    }
}

/// Detection over all buildpacks: each one's result, which one won, and near-miss hints.
public struct DetectionReport: Sendable, Equatable, Codable {
    /// Every buildpack asked, in order.
    public var results: [BuildpackDetection]
    /// The id of the buildpack that will build the app (the first that matched), if any.
    public var selected: String?
    /// Sentences that say what to change when nothing (or the wrong thing) matched.
    public var hints: [String]

    public init(results: [BuildpackDetection], selected: String?, hints: [String]) {
        self.results = results
        self.selected = selected
        self.hints = hints
    }

    /// Buildpacks that matched besides the selected one.
    public var alsoMatched: [BuildpackDetection] {
        results.filter { $0.matched && $0.id != selected }
    }

    /// The selected buildpack's result.
    public var selectedResult: BuildpackDetection? {
        results.first { $0.id == selected }
    }
}
