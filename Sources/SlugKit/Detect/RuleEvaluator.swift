import Foundation

/// Evaluates `DetectionRule`s against an app folder; every result carries a reason a person
/// can act on. Nothing here leaves the app folder: symlinks that point outside it count as
/// missing, and `glob` never descends into symlinked folders.
public struct RuleEvaluator: Sendable {
    /// The app root (the build directory).
    public var root: URL
    /// `glob` stops after looking at this many entries, so a huge tree cannot stall detection.
    public var globEntryLimit: Int
    /// `contains` reads at most this many bytes of a file.
    public var containsByteLimit: Int

    private let realRoot: String

    public init(root: URL, globEntryLimit: Int = 20_000, containsByteLimit: Int = 1 << 20) {
        self.root = root
        self.globEntryLimit = globEntryLimit
        self.containsByteLimit = containsByteLimit
        realRoot = root.resolvingSymlinksInPath().path
    }

    /// The result of `rule`, with children for `any`, `all` and `not`.
    public func evaluate(_ rule: DetectionRule) -> RuleResult {
        let name = rule.description
        switch rule {
        case .file(let path):
            switch kind(of: path) {
            case .file: return RuleResult(rule: name, passed: true, reason: "\(path): found")
            case .directory: return RuleResult(rule: name, passed: false, reason: "\(path) is a folder, not a file")
            case .outside: return RuleResult(rule: name, passed: false, reason: "\(path) is a symlink that points outside the app")
            case .other: return RuleResult(rule: name, passed: false, reason: "\(path) is not a regular file")
            case .missing: return RuleResult(rule: name, passed: false, reason: "\(path): not found")
            }
        case .directory(let path):
            switch kind(of: path) {
            case .directory: return RuleResult(rule: name, passed: true, reason: "\(path)/: found")
            case .file, .other: return RuleResult(rule: name, passed: false, reason: "\(path) is a file, not a folder")
            case .outside: return RuleResult(rule: name, passed: false, reason: "\(path) is a symlink that points outside the app")
            case .missing: return RuleResult(rule: name, passed: false, reason: "\(path)/: not found")
            }
        case .glob(let pattern):
            return evaluateGlob(pattern, rule: name)
        case let .contains(file, pattern):
            return evaluateContains(file: file, pattern: pattern, rule: name)
        case .any(let rules):
            let children = rules.map(evaluate)
            let passed = children.filter(\.passed).count
            let reason = passed == 0 ? "none of \(children.count) matched" : "\(passed) of \(children.count) matched"
            return RuleResult(rule: name, passed: passed > 0, reason: reason, children: children)
        case .all(let rules):
            let children = rules.map(evaluate)
            let failed = children.filter { !$0.passed }.count
            let reason = failed == 0 ? "all \(children.count) matched" : "\(failed) of \(children.count) did not match"
            return RuleResult(rule: name, passed: failed == 0, reason: reason, children: children)
        case .not(let inner):
            let child = evaluate(inner)
            let reason = child.passed ? "the rule inside matched" : "the rule inside did not match"
            return RuleResult(rule: name, passed: !child.passed, reason: reason, children: [child])
        }
    }

    private enum Kind { case missing, file, directory, other, outside }

    /// What `path` names, following symlinks only while they stay inside the app.
    private func kind(of path: String) -> Kind {
        let url = root.appendingPathComponent(path)
        switch EntryKind.of(url.path) {
        case .missing: return .missing
        case .file: return insideRoot(url) ? .file : .outside
        case .directory: return insideRoot(url) ? .directory : .outside
        case .other: return .other
        case .symlink:
            guard insideRoot(url) else { return .outside }
            switch EntryKind.following(url.path) {
            case .file: return .file
            case .directory: return .directory
            case .missing: return .missing
            default: return .other
            }
        }
    }

    /// Intermediate folders may be symlinks too, so compare the fully resolved path.
    private func insideRoot(_ url: URL) -> Bool {
        let resolved = url.resolvingSymlinksInPath().path
        return resolved == realRoot || resolved.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/")
    }

    private func evaluateContains(file: String, pattern: String, rule: String) -> RuleResult {
        switch kind(of: file) {
        case .missing: return RuleResult(rule: rule, passed: false, reason: "\(file): not found")
        case .directory: return RuleResult(rule: rule, passed: false, reason: "\(file) is a folder, not a file")
        case .outside: return RuleResult(rule: rule, passed: false, reason: "\(file) is a symlink that points outside the app")
        case .other: return RuleResult(rule: rule, passed: false, reason: "\(file) is not a regular file")
        case .file: break
        }
        guard let regex = try? NSRegularExpression(pattern: pattern) else {
            return RuleResult(rule: rule, passed: false, reason: "/\(pattern)/ is not a valid regular expression")
        }
        guard let handle = try? FileHandle(forReadingFrom: root.appendingPathComponent(file)) else {
            return RuleResult(rule: rule, passed: false, reason: "\(file) could not be read")
        }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: containsByteLimit + 1)) ?? Data()
        let truncated = data.count > containsByteLimit
        let text = String(decoding: data.prefix(containsByteLimit), as: UTF8.self)
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so split on both forms.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            lineNumber += 1
            let string = String(line)
            let range = NSRange(string.startIndex..<string.endIndex, in: string)
            if regex.firstMatch(in: string, range: range) != nil {
                return RuleResult(rule: rule, passed: true, reason: "\(file): line \(lineNumber) matches /\(pattern)/")
            }
        }
        let scope = truncated ? "no line in the first \(ByteCount.format(Int64(containsByteLimit))) matches" : "no line matches"
        return RuleResult(rule: rule, passed: false, reason: "\(file): \(scope) /\(pattern)/")
    }

    private func evaluateGlob(_ pattern: String, rule: String) -> RuleResult {
        var search = GlobSearch(pattern: PathPattern(pattern), root: root, limit: globEntryLimit)
        if let match = search.firstMatch() {
            return RuleResult(rule: rule, passed: true, reason: "glob \(pattern): matched \(match)")
        }
        if search.hitLimit {
            return RuleResult(rule: rule, passed: false, reason: "glob \(pattern): no match in the first \(globEntryLimit) entries")
        }
        return RuleResult(rule: rule, passed: false, reason: "glob \(pattern): no match")
    }
}

/// A depth-first walk that stops at the first path matching a glob, in sorted order.
struct GlobSearch {
    let pattern: PathPattern
    let root: URL
    let limit: Int
    private(set) var seen = 0
    private(set) var hitLimit = false
    private var visited = Set<String>()

    init(pattern: PathPattern, root: URL, limit: Int) {
        self.pattern = pattern
        self.root = root
        self.limit = limit
    }

    /// The first matching path relative to the root, or nil.
    mutating func firstMatch() -> String? {
        guard !pattern.segments.isEmpty else { return nil }
        return search(relative: [], index: 0)
    }

    private mutating func search(relative: [String], index: Int) -> String? {
        // A `**` can reach the same (folder, pattern position) several ways; try each once.
        let key = "\(index)\u{0}" + relative.joined(separator: "/")
        guard visited.insert(key).inserted, !hitLimit else { return nil }
        let segment = pattern.segments[index]
        let isLast = index == pattern.segments.count - 1
        if segment == "**" {
            if !isLast, let found = search(relative: relative, index: index + 1) { return found }
            for (name, kind) in children(of: relative) {
                if isLast { return (relative + [name]).joined(separator: "/") }
                if kind == .directory, let found = search(relative: relative + [name], index: index) { return found }
            }
            return nil
        }
        let candidates: [(String, EntryKind)]
        if PathPattern.isLiteral(segment) {
            let kind = EntryKind.of(folder(relative + [segment]).path)
            candidates = kind == .missing ? [] : [(segment, kind)]
        } else {
            candidates = children(of: relative).filter { PathPattern.segment(segment, matches: $0.0) }
        }
        for (name, kind) in candidates {
            if isLast { return (relative + [name]).joined(separator: "/") }
            // Only real folders: a symlinked folder could lead out of the app or into a loop.
            if kind == .directory, let found = search(relative: relative + [name], index: index + 1) { return found }
        }
        return nil
    }

    private func folder(_ relative: [String]) -> URL {
        relative.reduce(root) { $0.appendingPathComponent($1) }
    }

    private mutating func children(of relative: [String]) -> [(String, EntryKind)] {
        let directory = folder(relative)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var result: [(String, EntryKind)] = []
        for name in names.sorted() {
            seen += 1
            if seen > limit { hitLimit = true; break }
            result.append((name, EntryKind.of(directory.appendingPathComponent(name).path)))
        }
        return result
    }
}
