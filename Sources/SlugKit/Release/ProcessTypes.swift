import Foundation

/// Process types (`web`, `worker` …) and their commands, in the order they were declared.
public struct ProcessTypes: Sendable, Equatable, Codable, Sequence {
    public private(set) var entries: [(type: String, command: String)]

    public init(_ entries: [(type: String, command: String)] = []) {
        self.entries = []
        for entry in entries { self[entry.type] = entry.command }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var types: [String] { entries.map(\.type) }

    /// Setting an existing type replaces its command in place; a new type goes last.
    public subscript(type: String) -> String? {
        get { entries.first(where: { $0.type == type })?.command }
        set {
            if let index = entries.firstIndex(where: { $0.type == type }) {
                if let newValue { entries[index].command = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((type, newValue))
            }
        }
    }

    /// These types, with `overrides` replacing or adding to them.
    public func merging(_ overrides: ProcessTypes) -> ProcessTypes {
        var merged = self
        for entry in overrides.entries { merged[entry.type] = entry.command }
        return merged
    }

    public func makeIterator() -> IndexingIterator<[(type: String, command: String)]> {
        entries.makeIterator()
    }

    public static func == (lhs: ProcessTypes, rhs: ProcessTypes) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.type == $1.type && $0.command == $1.command }
    }

    // Encoded as a JSON object, as Heroku's Platform API does; key order is kept by sorting on
    // output (JSONEncoder's .sortedKeys) and by declaration order on input.
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let dictionary = try container.decode([String: String].self)
        self.init(dictionary.sorted(by: { $0.key < $1.key }).map { ($0.key, $0.value) })
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(entries.map { ($0.type, $0.command) }, uniquingKeysWith: { _, last in last }))
    }
}
