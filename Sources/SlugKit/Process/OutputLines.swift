import Foundation

/// Cuts a child's output into lines as it arrives, in whatever chunks the pipe delivers.
///
/// A line ends at LF, CR or CRLF (a progress bar's CR redraws become lines of their own, as
/// before). A line longer than `maximumLineBytes` is delivered in pieces of at most that size,
/// cut between UTF-8 characters: a buildpack that prints a megabyte of minified JSON on one
/// line is shown, not killed — the line sequence of swift-subprocess throws past 128 KiB, which
/// used to end the script and report it as one that could not start. Memory stays bounded by
/// one piece whatever the child writes.
struct OutputLineSplitter {
    /// Long enough for any line a person reads, short enough that a flood without newlines
    /// costs at most this much memory per stream.
    static let defaultMaximumLineBytes = 64 * 1024

    let maximumLineBytes: Int
    private var partial: [UInt8] = []
    /// The last chunk ended in CR: an LF starting the next chunk belongs to it.
    private var afterCarriageReturn = false

    init(maximumLineBytes: Int = OutputLineSplitter.defaultMaximumLineBytes) {
        self.maximumLineBytes = max(maximumLineBytes, 4)
        partial.reserveCapacity(min(self.maximumLineBytes, 4096))
    }

    /// Feeds one chunk; `emit` gets every line it completes, without its line end.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: (String) -> Void) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let end = bytes.count
        var start = 0
        if afterCarriageReturn {
            afterCarriageReturn = false
            if base.load(as: UInt8.self) == 0x0A { start = 1 }
        }
        var index = start
        while index < end {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            if byte == 0x0A || byte == 0x0D {
                append(UnsafeRawBufferPointer(start: base + start, count: index - start), emit: emit)
                emitLine(emit)
                if byte == 0x0D {
                    if index + 1 < end {
                        if base.load(fromByteOffset: index + 1, as: UInt8.self) == 0x0A { index += 1 }
                    } else {
                        afterCarriageReturn = true
                    }
                }
                start = index + 1
            }
            index += 1
        }
        append(UnsafeRawBufferPointer(start: base + start, count: end - start), emit: emit)
    }

    /// At end of stream: the last line, when it had no line end.
    mutating func finish(emit: (String) -> Void) {
        if !partial.isEmpty { emitLine(emit) }
    }

    /// Adds bytes of the current line, handing out full pieces of an overlong line as it grows.
    private mutating func append(_ bytes: UnsafeRawBufferPointer, emit: (String) -> Void) {
        var rest = bytes[...]
        while !rest.isEmpty {
            let room = maximumLineBytes - partial.count
            if rest.count <= room {
                partial.append(contentsOf: rest)
                return
            }
            partial.append(contentsOf: rest.prefix(room))
            rest = rest.dropFirst(room)
            emitPiece(emit)
        }
    }

    /// A full piece of an overlong line: cut before a UTF-8 character that would be split, and
    /// keep its first bytes for the next piece.
    private mutating func emitPiece(_ emit: (String) -> Void) {
        var lead = partial.count - 1
        while lead > 0, partial.count - lead < 4, partial[lead] & 0xC0 == 0x80 { lead -= 1 }
        let first = partial[lead]
        let length = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : first >= 0xC0 ? 2 : 1
        let complete = lead + length <= partial.count
        let cut = complete || lead == 0 ? partial.count : lead
        emit(String(decoding: partial[..<cut], as: UTF8.self))
        partial.removeFirst(cut)
    }

    private mutating func emitLine(_ emit: (String) -> Void) {
        emit(String(decoding: partial, as: UTF8.self))
        partial.removeAll(keepingCapacity: true)
    }
}
