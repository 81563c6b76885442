import Foundation

/// Looks for a build folder's path in a file's bytes: one exact path (during `build`, where the
/// folder is known), or slugc's pattern for it (`/slugc-build-` + 6 letters or digits +
/// `/app`, what `mkdtemp` makes of `BuildWorkspace`'s template) when only the slug is at hand.
///
/// Every byte of every file goes through it, so it compares 32 positions at a time: where the
/// key's first and last bytes both sit at the right distance (rare), it compares the rest.
/// That runs at about 10 GB/s on code and data; Boyer-Moore-Horspool managed 3.4 for the
/// 13-byte pattern key, and added a tenth to `inspect`'s time.
struct BuildPathSearch: Sendable {
    /// A byte the pattern's tail accepts after the key.
    private enum TailByte: Sendable {
        case exactly(UInt8)
        case nameCharacter
    }

    /// What is searched for.
    private let key: [UInt8]
    /// What must follow the key, checked where the key is found.
    private let tail: [TailByte]
    /// For an exact path, the path itself; nil for the pattern, whose match is read from the file.
    private let exactPath: String?

    /// Bytes a match spans.
    var length: Int { key.count + tail.count }

    /// Searches for `folder`'s path exactly.
    init(exactly folder: String) {
        self.init(key: Array(folder.utf8), tail: [], exactPath: folder)
    }

    /// Searches for any folder `BuildWorkspace` may have made, wherever its parent was.
    static let slugcBuildFolder = BuildPathSearch(
        key: Array("/slugc-build-".utf8),
        tail: Array(repeating: .nameCharacter, count: 6) + "/app".utf8.map { .exactly($0) }, exactPath: nil)

    private init(key: [UInt8], tail: [TailByte], exactPath: String?) {
        self.key = key
        self.tail = tail
        self.exactPath = exactPath
    }

    private typealias Lanes = SIMD32<UInt8>

    /// The first match in `bytes` as the path it names, or nil. For the pattern, the path is
    /// read back from the bytes before the match (up to `Self.context` of them), so a match
    /// says `/tmp/slugc-build-AbC123/app` rather than only its tail.
    func firstMatch(in bytes: UnsafeRawBufferPointer) -> String? {
        guard let firstByte = key.first, let lastByte = key.last, bytes.count >= length,
              let base = bytes.baseAddress else { return nil }
        let lastOffset = key.count - 1
        let first = Lanes(repeating: firstByte), last = Lanes(repeating: lastByte)
        var start = 0
        while start + lastOffset + Lanes.scalarCount <= bytes.count {
            let candidates = base.loadUnaligned(fromByteOffset: start, as: Lanes.self) .== first
                .& (base.loadUnaligned(fromByteOffset: start + lastOffset, as: Lanes.self) .== last)
            if any(candidates) {
                for lane in 0..<Lanes.scalarCount where candidates[lane] {
                    if let path = match(at: start + lane, in: bytes) { return path }
                }
            }
            start += Lanes.scalarCount
        }
        while start + length <= bytes.count {
            if let path = match(at: start, in: bytes) { return path }
            start += 1
        }
        return nil
    }

    /// The path when a whole match starts at `start`. One that runs past the end is left to the
    /// next search, which `BuildPathStream` starts with these bytes.
    private func match(at start: Int, in bytes: UnsafeRawBufferPointer) -> String? {
        guard start + length <= bytes.count, let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let keyMatches = key.withUnsafeBufferPointer { key in
            key.baseAddress.map { memcmp(base + start, $0, key.count) == 0 } ?? false
        }
        guard keyMatches, tailMatches(base + start + key.count) else { return nil }
        return matchedPath(in: base, start: start)
    }

    /// How many bytes before a match are kept to read the path back.
    static let context = 256

    private func tailMatches(_ bytes: UnsafePointer<UInt8>) -> Bool {
        for (index, expected) in tail.enumerated() {
            switch expected {
            case let .exactly(byte): if bytes[index] != byte { return false }
            case .nameCharacter: if !Self.isNameCharacter(bytes[index]) { return false }
            }
        }
        return true
    }

    private func matchedPath(in base: UnsafePointer<UInt8>, start: Int) -> String {
        if let exactPath { return exactPath }
        var first = start
        while first > 0, start - first < Self.context - 1, Self.isPathCharacter(base[first - 1]) { first -= 1 }
        // The path starts at its first "/": in binary files (`.pyc`) a length byte before it may look like a letter.
        while first < start, base[first] != UInt8(ascii: "/") { first += 1 }
        return String(decoding: UnsafeBufferPointer(start: base + first, count: start + length - first), as: UTF8.self)
    }

    /// What `mkdtemp` puts in place of `XXXXXX`.
    private static func isNameCharacter(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }

    /// Bytes a temporary folder's path is usually made of; anything else (a quote, `:`, `=`) ends it.
    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        isNameCharacter(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "~")
    }
}

/// One file's search, fed chunk by chunk: a match may straddle two chunks, so the bytes at the
/// end of each chunk are carried into the next search (with `context` more, so the path read
/// back is the same however the file was cut into chunks).
struct BuildPathStream {
    let search: BuildPathSearch
    private var carry: [UInt8] = []
    /// The path found, once found; the rest of the file is then skipped.
    private(set) var found: String?

    init(_ search: BuildPathSearch) {
        self.search = search
    }

    mutating func consume(_ chunk: UnsafeRawBufferPointer) {
        guard found == nil, !chunk.isEmpty else { return }
        let kept = search.length - 1 + BuildPathSearch.context
        if !carry.isEmpty {
            var joint = carry
            joint.append(contentsOf: chunk.prefix(kept))
            if let match = joint.withUnsafeBytes({ search.firstMatch(in: $0) }) {
                found = match
                return
            }
        }
        if let match = search.firstMatch(in: chunk) {
            found = match
            return
        }
        if chunk.count >= kept {
            carry = Array(chunk.suffix(kept))
        } else {
            carry.append(contentsOf: chunk)
            if carry.count > kept { carry.removeFirst(carry.count - kept) }
        }
    }
}
