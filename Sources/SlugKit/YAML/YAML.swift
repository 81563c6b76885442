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

/// Why a YAML text was refused, with the position: libyaml's syntax error, or a document slugc
/// will not expand (an alias bomb, an alias inside itself, nesting too deep).
public struct YAMLSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// libyaml could not parse the text.
        case syntax
        /// Well-formed, but past `YAMLLimits` once its aliases are expanded, or recursive.
        case expansion
    }

    public var problem: String
    public var mark: YAMLMark
    public var kind: Kind = .syntax
    public var description: String { "line \(mark.line), column \(mark.column): \(problem)" }
}

/// How large a document may grow once its aliases are expanded: `bin/release` output and
/// `buildpack.yml` are a few dozen lines, so these leave room for any real file while a
/// 420-byte "billion laughs" document (nine levels of nine aliases) is refused before it grows.
public struct YAMLLimits: Sendable, Equatable {
    /// Nodes (scalars, lists, mappings) after expansion; an alias counts for all it repeats.
    public var maxNodes = 100_000
    /// Bytes of scalar text after expansion.
    public var maxScalarBytes = 16 << 20
    /// Levels of nesting; converting is recursive, and real files nest a handful of levels.
    public var maxDepth = 64

    public init() {}
}

public enum YAML {
    /// Parses the first document of `text`; an empty document is nil. A document that would
    /// expand past `limits` is refused before any of it is converted.
    public static func parse(_ text: String, limits: YAMLLimits = YAMLLimits()) throws(YAMLSyntaxError) -> YAMLNode? {
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
        guard yaml_document_get_root_node(&document) != nil else { return nil }
        let expansion = YAMLExpansion(nodes: document.nodes.start, count: document.nodes.top - document.nodes.start)
        try expansion.check(limits)
        return convert(0, in: expansion)
    }

    /// Reads and parses a file; errors name the file.
    public static func load(contentsOf file: URL) throws -> YAMLNode? {
        let text = try String(contentsOf: file, encoding: .utf8)
        return try parse(text)
    }

    /// Turns node `index` into a `YAMLNode`; `check` has bounded its size and depth, so the
    /// recursion ends and the result stays small.
    private static func convert(_ index: Int, in expansion: YAMLExpansion) -> YAMLNode {
        let node = expansion.node(index)
        let mark = expansion.mark(index)
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            let buffer = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
            return .scalar(String(decoding: buffer, as: UTF8.self), mark)
        case YAML_SEQUENCE_NODE:
            return .sequence(expansion.children(index).map { convert($0, in: expansion) }, mark)
        case YAML_MAPPING_NODE:
            let children = expansion.children(index)
            let pairs = stride(from: 0, to: children.count - 1, by: 2).map {
                (key: convert(children[$0], in: expansion), value: convert(children[$0 + 1], in: expansion))
            }
            return .mapping(pairs, mark)
        default:
            return .scalar("", mark)
        }
    }
}
