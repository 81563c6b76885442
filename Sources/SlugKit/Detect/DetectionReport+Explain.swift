import Foundation

extension DetectionReport {
    /// The text of `slugc detect --explain`, one element per line, Heroku style: `-----> ` before
    /// each buildpack, seven spaces before details, ` !     ` before errors.
    ///
    /// ```
    /// -----> Python (python): no match
    ///        fail  any: none of 2 matched
    ///        fail    requirements.txt: not found
    ///        fail    glob *.py: no match
    /// -----> Swift (swift): match, selected
    ///        pass  Package.swift: found
    /// -----> Swift app detected
    /// ```
    public func explanationLines() -> [String] {
        var lines: [String] = []
        for result in results {
            lines.append("-----> \(result.displayName): \(status(of: result))")
            if let script = result.script {
                lines += scriptLines(result, script: script)
            } else {
                for rule in result.rules { lines += Self.ruleLines(rule, depth: 0) }
                if !result.requirement.isEmpty {
                    lines.append("       requires (compile needs it at the app root):")
                    for rule in result.requirement { lines += Self.ruleLines(rule, depth: 1) }
                }
            }
        }
        if let chosen = selectedResult {
            lines.append("-----> \(chosen.framework ?? chosen.name) app detected")
            if let warning = requirementWarning { lines.append(" !     Warning: " + warning) }
            let others = alsoMatched
            if !others.isEmpty {
                lines.append("       Also matched: \(others.map(\.displayName).joined(separator: ", ")). The first match in order wins; choose another with --buildpack.")
            }
        } else {
            lines.append(" !     No Cedar-supported app detected")
        }
        if !hints.isEmpty {
            lines.append("-----> Hints")
            lines += hints.map { "       " + $0 }
        }
        return lines
    }

    /// "the Python buildpack will fail to compile …" when the selected buildpack matched but what
    /// its compile needs is missing; nil otherwise.
    public var requirementWarning: String? {
        guard let chosen = selectedResult, !chosen.requirementMet else { return nil }
        let leaves = chosen.requirement.flatMap(\.failingLeaves)
        // "requirements.txt, Pipfile.lock, poetry.lock or uv.lock": listing four "not found"s says nothing more.
        let missing = leaves.count > 1 && leaves.allSatisfy({ $0.reason.hasSuffix(": not found") })
            ? "none of them is there" : leaves.map(\.reason).joined(separator: "; ")
        return "the \(chosen.name) buildpack matched, but its compile will fail: it needs \(chosen.required ?? "more files") at the app root (\(missing))."
    }

    private func status(of result: BuildpackDetection) -> String {
        if result.failure != nil { return "error" }
        guard result.matched else { return "no match" }
        return result.id == selected ? "match, selected" : "match"
    }

    private func scriptLines(_ result: BuildpackDetection, script: String) -> [String] {
        if let failure = result.failure {
            return [" !     \(script) \(failure)"] + result.stderr.suffix(10).map { " !     " + $0 }
        }
        var lines = ["       bin/detect \(DetectError.exitText(result.exitCode))"]
        if result.matched, let framework = result.framework {
            lines.append("       framework: \(framework)")
        }
        lines += result.stderr.suffix(10).map { "       stderr: " + $0 }
        return lines
    }

    private static func ruleLines(_ result: RuleResult, depth: Int) -> [String] {
        let mark = result.passed ? "pass" : "fail"
        let indent = String(repeating: "  ", count: depth)
        let text = result.children.isEmpty ? result.reason : "\(result.rule): \(result.reason)"
        return ["       \(mark)  \(indent)\(text)"] + result.children.flatMap { ruleLines($0, depth: depth + 1) }
    }
}
