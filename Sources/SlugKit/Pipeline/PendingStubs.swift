import Foundation

// TEMPORARY: stand-ins until the slug and detect branches land; deleted at merge.
public enum TreeCopier {
    public static func copy(from source: URL, to destination: URL, excluding: (String, Bool) -> Bool) throws(PackError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: destination, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: source.path) where !excluding(name, false) {
                try fm.copyItem(at: source.appendingPathComponent(name), to: destination.appendingPathComponent(name))
            }
        } catch { throw .io(path: source.path, reason: "\(error)") }
    }
}

public struct SlugIgnore: Sendable {
    var patterns: [String]
    public init(text: String) { patterns = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty } }
    public var isEmpty: Bool { patterns.isEmpty }
    public var patternCount: Int { patterns.count }
    public func matches(_ relativePath: String, isDirectory: Bool) -> (matched: Bool, line: Int?) {
        (patterns.contains(relativePath), nil)
    }
}

extension DetectionReport {
    public func explanationLines() -> [String] { results.map { "-----> \($0.name): \($0.matched ? "pass" : "fail")" } }
}

extension Buildpack {
    public var detectionSummary: [String] { [] }
}
