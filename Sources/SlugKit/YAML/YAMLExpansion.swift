import CYAML

/// Sizes a loaded libyaml document as it would be once its aliases are expanded, without
/// expanding it.
///
/// libyaml resolves an alias to the node its anchor names, so a document is a graph whose
/// nodes can be reached many times: nine levels of nine aliases are 90 nodes in libyaml and
/// 387 million once converted. One walk over the graph, remembering each node's expanded size,
/// finds that in microseconds; an alias counts for everything it repeats.
struct YAMLExpansion {
    /// libyaml's node array (`document.nodes`), valid until the document is deleted.
    let nodes: UnsafeMutablePointer<yaml_node_t>?
    let count: Int

    func node(_ index: Int) -> UnsafeMutablePointer<yaml_node_t> {
        nodes.unsafelyUnwrapped + index
    }

    func mark(_ index: Int) -> YAMLMark {
        let start = node(index).pointee.start_mark
        return YAMLMark(line: Int(start.line) + 1, column: Int(start.column) + 1)
    }

    /// The nodes a list or mapping holds, as 0-based indexes; a mapping's keys and values
    /// alternate. libyaml numbers nodes from 1; an index out of range is dropped.
    func children(_ index: Int) -> [Int] {
        let node = node(index)
        var result: [Int] = []
        switch node.pointee.type {
        case YAML_SEQUENCE_NODE:
            var item = node.pointee.data.sequence.items.start
            while let current = item, current != node.pointee.data.sequence.items.top {
                result.append(Int(current.pointee) - 1)
                item = current + 1
            }
        case YAML_MAPPING_NODE:
            var pair = node.pointee.data.mapping.pairs.start
            while let current = pair, current != node.pointee.data.mapping.pairs.top {
                let key = Int(current.pointee.key) - 1, value = Int(current.pointee.value) - 1
                if (0..<count).contains(key) && (0..<count).contains(value) { result += [key, value] }
                pair = current + 1
            }
            return result
        default:
            return []
        }
        return result.filter { (0..<count).contains($0) }
    }

    /// Throws `.expansion` when the document from node 0 passes `limits` or holds an alias
    /// inside the node it names; the mark is the outermost node to blame.
    func check(_ limits: YAMLLimits) throws(YAMLSyntaxError) {
        guard count > 0 else { return }
        let sizes = try measure()
        let root = sizes[0]
        if root.depth > limits.maxDepth {
            let at = deepest(from: 0, sizes: sizes, levels: limits.maxDepth)
            throw refusal(at, "values are nested more than \(limits.maxDepth) levels deep here, and slugc refuses documents nested that deep: flatten the structure")
        }
        if root.nodes > limits.maxNodes {
            let at = blamed(sizes: sizes) { $0.nodes > limits.maxNodes }
            throw refusal(at, "its aliases expand the document past \(limits.maxNodes) nodes (a YAML alias bomb), and slugc refuses documents that large: write the values out instead of nesting aliases")
        }
        if root.scalarBytes > limits.maxScalarBytes {
            let at = blamed(sizes: sizes) { $0.scalarBytes > limits.maxScalarBytes }
            throw refusal(at, "the document holds more than \(limits.maxScalarBytes >> 20) MiB of text once its aliases are expanded, and slugc refuses documents that large: write the values out instead of repeating them through aliases")
        }
    }

    struct Size {
        var nodes = 0
        var scalarBytes = 0
        var depth = 0
    }

    /// Every node's expanded size, by a depth-first walk with an explicit stack (a hostile
    /// document may nest deeper than the thread's stack would allow recursion). Sums saturate,
    /// since a few more levels of aliases overflow any integer.
    private func measure() throws(YAMLSyntaxError) -> [Size] {
        enum State { case new, open, done }
        var state = [State](repeating: .new, count: count)
        var sizes = [Size](repeating: Size(), count: count)
        var stack: [(index: Int, children: [Int], next: Int)] = [(0, children(0), 0)]
        state[0] = .open
        while let top = stack.last {
            if top.next < top.children.count {
                let child = top.children[top.next]
                stack[stack.count - 1].next += 1
                switch state[child] {
                case .open:
                    throw refusal(child, "an alias here or inside refers to this node from within it, so it would repeat forever: point the alias at a node outside the one it sits in")
                case .done:
                    continue
                case .new:
                    state[child] = .open
                    stack.append((child, children(child), 0))
                }
                continue
            }
            stack.removeLast()
            var size = Size(nodes: 1, scalarBytes: 0, depth: 1)
            let node = node(top.index)
            if node.pointee.type == YAML_SCALAR_NODE { size.scalarBytes = node.pointee.data.scalar.length }
            for child in top.children {
                size.nodes = Self.saturatingSum(size.nodes, sizes[child].nodes)
                size.scalarBytes = Self.saturatingSum(size.scalarBytes, sizes[child].scalarBytes)
                size.depth = max(size.depth, sizes[child].depth + 1)
            }
            sizes[top.index] = size
            state[top.index] = .done
        }
        return sizes
    }

    /// The outermost node over the limit whose own text holds the aliases: from the root, step
    /// into a child written in place (libyaml numbers such a child after its parent; an alias
    /// names an earlier node) while one is over the limit.
    private func blamed(sizes: [Size], over: (Size) -> Bool) -> Int {
        var current = 0
        while let next = children(current).first(where: { $0 > current && over(sizes[$0]) }) {
            current = next
        }
        return current
    }

    /// The first node deeper than `levels`, following the deepest path from `start`.
    private func deepest(from start: Int, sizes: [Size], levels: Int) -> Int {
        var current = start
        for _ in 0..<levels {
            guard let next = children(current).max(by: { sizes[$0].depth < sizes[$1].depth }) else { break }
            current = next
        }
        return current
    }

    private func refusal(_ index: Int, _ problem: String) -> YAMLSyntaxError {
        YAMLSyntaxError(problem: problem, mark: mark(index), kind: .expansion)
    }

    private static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}
