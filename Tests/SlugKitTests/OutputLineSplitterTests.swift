@testable import SlugKit
import XCTest

/// A child's output cut into lines whatever chunks the pipe delivers it in.
final class OutputLineSplitterTests: XCTestCase {
    /// Feeds `chunks` and returns the lines.
    private func lines(_ chunks: [[UInt8]], maximum: Int = 64 * 1024) -> [String] {
        var splitter = OutputLineSplitter(maximumLineBytes: maximum)
        var lines: [String] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { splitter.feed($0) { lines.append($0) } }
        }
        splitter.finish { lines.append($0) }
        return lines
    }

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testLineEndsAreLFCROrCRLFAlsoAcrossChunks() {
        XCTAssertEqual(lines([bytes("one\ntwo\r\nthree\rfour")]), ["one", "two", "three", "four"])
        // CR at the end of one chunk, LF at the start of the next: one line end, not two.
        XCTAssertEqual(lines([bytes("one\r"), bytes("\ntwo\n")]), ["one", "two"])
        XCTAssertEqual(lines([bytes("on"), bytes("e\n\ntw"), bytes("o")]), ["one", "", "two"])
        XCTAssertEqual(lines([bytes("last\n")]), ["last"])
        XCTAssertEqual(lines([]), [])
    }

    func testALineLongerThanTheMaximumComesInPiecesAndNothingIsLost() {
        let long = String(repeating: "abcdefgh", count: 1000)  // 8000 bytes
        let pieces = lines([bytes(long + "\nafter\n")], maximum: 1024)
        XCTAssertEqual(pieces.count, 9)
        XCTAssertEqual(pieces.dropLast().joined(), long)
        XCTAssertEqual(pieces.last, "after")
        XCTAssertTrue(pieces.dropLast().allSatisfy { $0.utf8.count <= 1024 })
        // Exactly the maximum is one line, with no empty piece after it.
        XCTAssertEqual(lines([bytes(String(repeating: "x", count: 1024) + "\n")], maximum: 1024).count, 1)
    }

    func testPiecesAreCutBetweenUTF8Characters() {
        // "é" is two bytes and "€" three: no cut may fall inside one, whatever the chunking.
        let text = String(repeating: "aé€", count: 700)
        let chunked = stride(from: 0, to: text.utf8.count, by: 7).map { Array(text.utf8.dropFirst($0).prefix(7)) }
        let pieces = lines(chunked, maximum: 100)
        XCTAssertEqual(pieces.joined(), text)
        XCTAssertFalse(pieces.contains { $0.contains("\u{FFFD}") }, "a character was split")
        XCTAssertTrue(pieces.allSatisfy { $0.utf8.count <= 100 })
    }
}
