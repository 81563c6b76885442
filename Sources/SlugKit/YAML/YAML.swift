import CYAML
import Foundation

/// A position in a YAML file, 1-based, as people count lines.
public struct YAMLMark: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// A YAML document as plain Swift values, each node carrying where it came from.
///
/// This is the only file that touches libyaml: everything above it sees `YAMLNode`.
public indirect enum YAMLNode: Sendable, Equatable {
    case scalar(String, YAMLMark)
    case sequence([YAMLNode], YAMLMark)
    /// Keys in file order; YAML maps are ordered here because users read them that way.
    case mapping([(key: YAMLNode, value: YAMLNode)], YAMLMark)

    public static func == (lhs: YAMLNode, rhs: YAMLNode) -> Bool {
        switch (lhs, rhs) {
        case let (.scalar(a, ma), .scalar(b, mb)): return a == b && ma == mb
        case let (.sequence(a, ma), .sequence(b, mb)): return a == b && ma == mb
        case let (.mapping(a, ma), .mapping(b, mb)):
            return ma == mb && a.count == b.count
                && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    public var mark: YAMLMark {
        switch self {
        case .scalar(_, let m), .sequence(_, let m), .mapping(_, let m): return m
        }
    }

    /// The scalar's text, or nil for a sequence or mapping.
    public var string: String? {
        if case .scalar(let s, _) = self { return s }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items, _) = self { return items }
        return nil
    }

    public var mapping: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let pairs, _) = self { return pairs }
        return nil
    }

    /// The value for a scalar key in a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?.first(where: { $0.key.string == key })?.value
    }

    /// What kind of node this is, for error messages ("expected a mapping, found a sequence").
    public var kindName: String {
        switch self {
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// A YAML syntax error with the position libyaml reported.
public struct YAMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var problem: String
    public var mark: YAMLMark
    public var description: String { "line \(mark.line), column \(mark.column): \(problem)" }
}

public enum YAML {
    /// Parses the first document of `text`; an empty document is nil.
    public static func parse(_ text: String) throws(YAMLSyntaxError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLSyntaxError(problem: "libyaml could not allocate a parser", mark: YAMLMark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        var document = yaml_document_t()
        let loaded: Int32 = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            return yaml_parser_load(&parser, &document)
        }
        guard loaded == 1 else {
            let problem = parser.problem.map { String(cString: $0) } ?? "not valid YAML"
            let context = parser.context.map { String(cString: $0) + ", " } ?? ""
            throw YAMLSyntaxError(
                problem: context + problem,
                mark: YAMLMark(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1))
        }
        defer { yaml_document_delete(&document) }
        guard let root = yaml_document_get_root_node(&document) else { return nil }
        return convert(root, in: &document, depth: 0)
    }

    /// Reads and parses a file; errors name the file.
    public static func load(contentsOf file: URL) throws -> YAMLNode? {
        let text = try String(contentsOf: file, encoding: .utf8)
        return try parse(text)
    }

    private static func convert(_ node: UnsafeMutablePointer<yaml_node_t>, in document: inout yaml_document_t, depth: Int) -> YAMLNode {
        let mark = YAMLMark(line: Int(node.pointee.start_mark.line) + 1, column: Int(node.pointee.start_mark.column) + 1)
        // Aliases can make a document a graph; a depth bound keeps a hostile file from recursing forever.
        guard depth < 64 else { return .scalar("", mark) }
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            let buffer = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
            return .scalar(String(decoding: buffer, as: UTF8.self), mark)
        case YAML_SEQUENCE_NODE:
            var items: [YAMLNode] = []
            var item = node.pointee.data.sequence.items.start
            while let current = item, current != node.pointee.data.sequence.items.top {
                if let child = yaml_document_get_node(&document, current.pointee) {
                    items.append(convert(child, in: &document, depth: depth + 1))
                }
                item = current + 1
            }
            return .sequence(items, mark)
        case YAML_MAPPING_NODE:
            var pairs: [(key: YAMLNode, value: YAMLNode)] = []
            var pair = node.pointee.data.mapping.pairs.start
            while let current = pair, current != node.pointee.data.mapping.pairs.top {
                if let key = yaml_document_get_node(&document, current.pointee.key),
                   let value = yaml_document_get_node(&document, current.pointee.value) {
                    pairs.append((convert(key, in: &document, depth: depth + 1), convert(value, in: &document, depth: depth + 1)))
                }
                pair = current + 1
            }
            return .mapping(pairs, mark)
        default:
            return .scalar("", mark)
        }
    }
}
