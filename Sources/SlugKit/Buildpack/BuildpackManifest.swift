import Foundation

/// Reads `buildpack.yml` into a `Buildpack`. Every error names the file and line and says
/// what to write instead.
enum BuildpackManifest {
    static let topLevelKeys = ["id", "name", "description", "detect", "requires", "process_types"]
    static let ruleKeys = ["file", "dir", "glob", "contains", "any", "all", "not"]

    /// Parses `<directory>/buildpack.yml`.
    static func load(directory: URL) throws(DetectError) -> Buildpack {
        let file = directory.appendingPathComponent("buildpack.yml")
        return try load(root: parseFile(file), file: file.path, directory: directory)
    }

    /// Reads the text of a `buildpack.yml` (`file` names it in errors).
    static func parse(_ text: String, file: String, directory: URL) throws(DetectError) -> Buildpack {
        guard let root = try parseText(text, file: file) else {
            throw DetectError.invalidBuildpack(file: file, line: nil, message: "the file is empty: see Buildpacks/README.md for what it holds.")
        }
        return try load(root: root, file: file, directory: directory)
    }

    private static func load(root: YAMLNode, file: String, directory: URL) throws(DetectError) -> Buildpack {
        let context = Context(file: file)
        guard let pairs = root.mapping else {
            throw context.error(root, "buildpack.yml must be a mapping with id, name, detect and process_types, but it is \(root.kindName).")
        }
        for pair in pairs {
            guard let key = pair.key.string, topLevelKeys.contains(key) else {
                let key = pair.key.string ?? "?"
                throw context.error(pair.key, "unknown key '\(key)'\(suggestion(for: key, among: topLevelKeys)) The keys are id, name, description, detect, requires and process_types.")
            }
        }
        guard let idNode = root["id"] else {
            throw context.error(root, "there is no 'id': add one such as 'id: python' (lowercase letters, digits and '-'; it is the name --buildpack takes).")
        }
        let id = try context.scalar(idNode, key: "id")
        guard !id.isEmpty, id.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw context.error(idNode, "the id '\(id)' may contain only lowercase letters, digits and '-': write e.g. 'id: \(slug(id))'.")
        }
        let name = try root["name"].map { node throws(DetectError) in try context.scalar(node, key: "name") } ?? id
        let description = try root["description"].map { node throws(DetectError) in try context.scalar(node, key: "description") }
        guard let detectNode = root["detect"] else {
            throw context.error(root, "there is no 'detect' rule: add one such as 'detect: {file: requirements.txt}'.")
        }
        let rule = try context.rule(detectNode, at: "detect")
        let requirement = try root["requires"].map { node throws(DetectError) in try context.rule(node, at: "requires") }
        var processTypes = ProcessTypes()
        if let typesNode = root["process_types"] {
            guard let typePairs = typesNode.mapping else {
                throw context.error(typesNode, "process_types must be a mapping of process type to command (e.g. 'web: ./server'), but it is \(typesNode.kindName).")
            }
            for pair in typePairs {
                let type = try context.scalar(pair.key, key: "a process type name")
                guard !type.isEmpty, type.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                    throw context.error(pair.key, "the process type name '\(type)' may contain only letters, digits, '_' and '-': rename it, e.g. '\(slug(type))'.")
                }
                let command = try context.scalar(pair.value, key: "process type '\(type)'")
                guard !command.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw context.error(pair.value, "process type '\(type)' has an empty command: give the command that starts it.")
                }
                processTypes[type] = command
            }
        }
        return Buildpack(id: id, name: name, directory: directory, detection: .rules(rule),
                         defaultProcessTypes: processTypes, providedDescription: description, requirement: requirement)
    }

    /// Reads and parses a YAML file, turning syntax errors into `invalidBuildpack` with the position.
    static func parseFile(_ file: URL) throws(DetectError) -> YAMLNode {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw DetectError.invalidBuildpack(file: file.path, line: nil, message: "the file cannot be read as UTF-8 text: check that it exists and is readable.")
        }
        guard let node = try parseText(text, file: file.path) else {
            throw DetectError.invalidBuildpack(file: file.path, line: nil, message: "the file is empty: see Buildpacks/README.md for what it holds.")
        }
        return node
    }

    private static func parseText(_ text: String, file: String) throws(DetectError) -> YAMLNode? {
        do {
            return try YAML.parse(text)
        } catch where error.kind == .expansion {
            throw DetectError.invalidBuildpack(file: file, line: error.mark.line, message: "at column \(error.mark.column), \(error.problem).")
        } catch {
            throw DetectError.invalidBuildpack(
                file: file, line: error.mark.line,
                message: "this is not valid YAML (column \(error.mark.column): \(error.problem)): fix the syntax on that line.")
        }
    }

    /// ": did you mean 'file'?" for a key within edit distance 2 of a known one, else "." to end the sentence.
    static func suggestion(for key: String, among known: [String]) -> String {
        let best = known.map { ($0, EditDistance.between($0, key.lowercased())) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 2 else { return "." }
        return ": did you mean '\(best.0)'?"
    }

    private static func slug(_ text: String) -> String {
        let mapped = text.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        let joined = String(mapped).split(separator: "-").joined(separator: "-")
        return joined.isEmpty ? "web" : joined
    }

    /// Where errors point: the file, and each node's line.
    struct Context {
        var file: String

        func error(_ node: YAMLNode, _ message: String) -> DetectError {
            .invalidBuildpack(file: file, line: node.mark.line, message: message)
        }

        func scalar(_ node: YAMLNode, key: String) throws(DetectError) -> String {
            guard let value = node.string else {
                throw error(node, "\(key) must be a single value, but it is \(node.kindName).")
            }
            return value
        }

        func path(_ node: YAMLNode, key: String) throws(DetectError) -> String {
            var value = try scalar(node, key: key)
            if key == "dir" { while value.count > 1 && value.hasSuffix("/") { value.removeLast() } }
            if let problem = RulePath.problem(with: value) {
                throw error(node, "the \(key) path is not usable: \(problem).")
            }
            return value
        }

        /// One rule: a mapping with exactly one of the rule keys.
        func rule(_ node: YAMLNode, at location: String) throws(DetectError) -> DetectionRule {
            guard let pairs = node.mapping else {
                if node.sequence != nil {
                    throw error(node, "\(location) takes exactly one rule, but it is a list: put the list under 'any:' (one must match) or 'all:' (every one must match).")
                }
                throw error(node, "\(location) must be a rule such as 'file: requirements.txt', but it is \(node.kindName). A rule is one of file, dir, glob, contains, any, all, not.")
            }
            guard pairs.count == 1, let pair = pairs.first else {
                let keys = pairs.compactMap(\.key.string).joined(separator: ", ")
                let what = pairs.isEmpty ? "no key" : "\(pairs.count) keys (\(keys))"
                throw error(node, "a rule has exactly one key, but this one has \(what): put each rule in its own list item under 'any:' or 'all:'.")
            }
            let key = pair.key.string ?? "?"
            let value = pair.value
            switch key {
            case "file": return .file(try path(value, key: "file"))
            case "dir": return .directory(try path(value, key: "dir"))
            case "glob": return .glob(try path(value, key: "glob"))
            case "contains": return try contains(value)
            case "any", "all":
                guard let items = value.sequence, !items.isEmpty else {
                    throw error(value, "'\(key)' takes a non-empty list of rules, e.g. '\(key): [{file: a}, {file: b}]'.")
                }
                var rules: [DetectionRule] = []
                for item in items { rules.append(try rule(item, at: "each item of '\(key)'")) }
                return key == "any" ? .any(rules) : .all(rules)
            case "not":
                return .not(try rule(value, at: "'not'"))
            default:
                throw error(pair.key, "unknown rule '\(key)'\(BuildpackManifest.suggestion(for: key, among: BuildpackManifest.ruleKeys)) A rule is one of file, dir, glob, contains, any, all, not.")
            }
        }

        private func contains(_ node: YAMLNode) throws(DetectError) -> DetectionRule {
            guard let pairs = node.mapping else {
                throw error(node, "'contains' takes a mapping with 'file' and 'pattern', e.g. 'contains: {file: Package.swift, pattern: \"swift-tools-version\"}'.")
            }
            for pair in pairs where !["file", "pattern"].contains(pair.key.string ?? "") {
                let key = pair.key.string ?? "?"
                throw error(pair.key, "unknown key '\(key)' in 'contains'\(BuildpackManifest.suggestion(for: key, among: ["file", "pattern"])) It takes 'file' and 'pattern'.")
            }
            guard let fileNode = node["file"] else { throw error(node, "'contains' has no 'file': add the path of the file to search.") }
            guard let patternNode = node["pattern"] else { throw error(node, "'contains' has no 'pattern': add the regular expression a line must match.") }
            let file = try path(fileNode, key: "file")
            let pattern = try scalar(patternNode, key: "pattern")
            do {
                _ = try NSRegularExpression(pattern: pattern)
            } catch {
                throw self.error(patternNode, "the pattern /\(pattern)/ is not a valid regular expression: fix it (it is matched against each line).")
            }
            return .contains(file: file, pattern: pattern)
        }
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
