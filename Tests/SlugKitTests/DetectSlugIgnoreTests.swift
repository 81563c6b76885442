import Foundation
import SlugKit
import SlugTestSupport
import XCTest

final class DetectSlugIgnoreTests: XCTestCase {
    /// (pattern file, path, isDirectory, expected line or nil for "kept")
    func testMatchingTable() {
        let table: [(String, String, Bool, Int?)] = [
            // A name without "/" matches at any depth.
            ("*.psd", "art.psd", false, 1),
            ("*.psd", "design/art.psd", false, 1),
            ("*.psd", "art.psd.txt", false, nil),
            ("log", "log", true, 1),
            ("log", "app/log", true, 1),
            ("log", "app/log/today.txt", false, 1),
            ("log", "catalog", false, nil),
            // A leading "/" anchors to the root.
            ("/log", "log", false, 1),
            ("/log", "app/log", false, nil),
            // A "/" inside anchors too.
            ("doc/*.md", "doc/a.md", false, 1),
            ("doc/*.md", "src/doc/a.md", false, nil),
            ("doc/*.md", "doc/sub/a.md", false, nil),
            // A trailing "/" matches folders only (and what is inside them).
            ("tmp/", "tmp", true, 1),
            ("tmp/", "tmp", false, nil),
            ("tmp/", "src/tmp/x.o", false, 1),
            // ? and [..] within a segment.
            ("file?.txt", "file1.txt", false, 1),
            ("file?.txt", "file10.txt", false, nil),
            ("[Tt]est", "Test", true, 1),
            ("[Tt]est", "best", true, nil),
            // ** across segments.
            ("**/fixtures", "a/b/fixtures", true, 1),
            ("**/fixtures", "fixtures", true, 1),
            ("spec/**/*.rb", "spec/a/b/c_spec.rb", false, 1),
            ("spec/**/*.rb", "spec/c_spec.rb", false, 1),
            ("spec/**/*.rb", "lib/c.rb", false, nil),
            ("vendor/**", "vendor/x", false, 1),
            ("vendor/**", "vendor", true, nil),
            // `*` matches dot files, as in .gitignore.
            ("*.env", ".env", false, 1),
            // Comments, blank lines and negation: the first real pattern is on line 4.
            ("# comment\n\n!keep.txt\n*.txt", "notes.txt", false, 4),
            ("# comment\n\n!keep.txt\n*.txt", "keep.txt", false, 4),
            // Escaped "#" is a name; CRLF files work; trailing spaces are dropped.
            ("\\#notes", "#notes", false, 1),
            ("a.txt\r\nb.txt   \r\n", "b.txt", false, 2),
            // The first matching line is reported.
            ("*.log\ndebug.log", "debug.log", false, 1),
            ("", "anything", false, nil),
        ]
        for (text, path, isDirectory, expected) in table {
            let result = SlugIgnore(text: text).matches(path, isDirectory: isDirectory)
            XCTAssertEqual(result.matched, expected != nil, "pattern \(text.debugDescription) against \(path)")
            XCTAssertEqual(result.line, expected, "pattern \(text.debugDescription) against \(path)")
        }
    }

    func testRulesAndWarnings() {
        let ignore = SlugIgnore(text: "# big files\n*.psd\n!keep.psd\n/../outside\ndocs/\n")
        XCTAssertEqual(ignore.rules.map(\.text), ["*.psd", "docs/"])
        XCTAssertEqual(ignore.rules.map(\.line), [2, 5])
        XCTAssertEqual(ignore.rules.map(\.directoryOnly), [false, true])
        XCTAssertEqual(ignore.warnings, [
            "line 3: '!keep.psd' uses negation, which .slugignore does not support; the line is skipped.",
            "line 4: '/../outside' names no path inside the app; the line is skipped.",
        ])
    }

    func testContentsOfFile() throws {
        let temporary = try TemporaryDirectory(prefix: "slugignore")
        defer { temporary.remove() }
        let file = try writeFile(".slugignore", "/spec\n", in: temporary.url)
        XCTAssertEqual(try SlugIgnore(contentsOf: file).matches("spec/a_spec.rb", isDirectory: false).line, 1)
        // No file: nothing is ignored.
        let missing = try SlugIgnore(contentsOf: temporary.appending("nope"))
        XCTAssertTrue(missing.rules.isEmpty)
    }
}

extension DetectSlugIgnoreTests {
    func testCounts() {
        XCTAssertTrue(SlugIgnore(text: "# only a comment\n\n").isEmpty)
        XCTAssertEqual(SlugIgnore(text: "*.psd\n!x\nlog/\n").patternCount, 2)
    }
}
