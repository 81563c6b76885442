@testable import SlugKit
import SlugTestSupport
import XCTest

/// Hostile YAML (from `bin/release` or a `buildpack.yml`) is refused from its libyaml graph,
/// before it is expanded into Swift values.
final class YAMLLimitTests: XCTestCase {
    /// The "billion laughs" document: nine levels of nine aliases, 387 420 489 scalars expanded.
    static let aliasBomb: String = {
        var lines = [#"a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]"#]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    static let bombProblem = "its aliases expand the document past 100000 nodes (a YAML alias bomb), and slugc refuses documents that large: write the values out instead of nesting aliases"

    /// The mark is the first list (in file order) that passes the limit on its own: `f`, 9^6 values.
    func testTheAliasBombIsRefusedAtTheFirstListPastTheLimit() {
        XCTAssertEqual(Self.aliasBomb.utf8.count, 414)
        XCTAssertThrowsError(try YAML.parse(Self.aliasBomb)) { error in
            guard let error = error as? YAMLSyntaxError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .expansion)
            XCTAssertEqual(error.description, "line 6, column 4: " + Self.bombProblem)
        }
    }

    func testADocumentJustUnderTheLimitExpandsFully() throws {
        // 300 aliases of a 300-item list: 90 000 scalars (90 605 nodes in all), which no real file needs but one may have.
        let text = "a: &a [" + Array(repeating: "x", count: 300).joined(separator: ", ") + "]\n"
            + "b: [" + Array(repeating: "*a", count: 300).joined(separator: ", ") + "]\n"
        let root = try XCTUnwrap(YAML.parse(text))
        let lists = try XCTUnwrap(root["b"]?.sequence)
        XCTAssertEqual(lists.count, 300)
        XCTAssertEqual(lists.reduce(0) { $0 + ($1.sequence?.compactMap(\.string).count ?? 0) }, 90_000)
        // An alias's copy carries the mark of the node it repeats.
        XCTAssertEqual(lists[299].mark, YAMLMark(line: 1, column: 4))
    }

    func testAnAliasInsideTheNodeItNamesIsRefused() {
        XCTAssertThrowsError(try YAML.parse("top:\n  loop: &loop [1, *loop]\n")) { error in
            XCTAssertEqual((error as? YAMLSyntaxError)?.description,
                           "line 2, column 9: an alias here or inside refers to this node from within it, so it would repeat forever: point the alias at a node outside the one it sits in")
        }
    }

    func testNestingDeeperThanTheLimitIsRefusedWhereItPassesIt() throws {
        XCTAssertNotNil(try YAML.parse(String(repeating: "[", count: 63) + String(repeating: "]", count: 63)))
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        XCTAssertThrowsError(try YAML.parse(deep)) { error in
            XCTAssertEqual((error as? YAMLSyntaxError)?.description,
                           "line 1, column 65: values are nested more than 64 levels deep here, and slugc refuses documents nested that deep: flatten the structure")
        }
    }

    func testTextRepeatedThroughAliasesPastTheByteLimitIsRefused() {
        let text = "big: &big \"\(String(repeating: "x", count: 1 << 20))\"\ncopies: [" + Array(repeating: "*big", count: 17).joined(separator: ", ") + "]\n"
        XCTAssertThrowsError(try YAML.parse(text)) { error in
            XCTAssertEqual((error as? YAMLSyntaxError)?.description,
                           "line 2, column 9: the document holds more than 16 MiB of text once its aliases are expanded, and slugc refuses documents that large: write the values out instead of repeating them through aliases")
        }
        XCTAssertNoThrow(try YAML.parse(text.replacingOccurrences(of: "*big, *big, *big, *big]", with: "*big]")))
    }

    func testABombPrintedByBinReleaseNamesTheBuildpackLineAndColumn() {
        XCTAssertThrowsError(try ReleaseYAML.parse(Self.aliasBomb, buildpack: "bomb")) { error in
            XCTAssertEqual(String(describing: error),
                           "bin/release of buildpack bomb printed invalid release YAML (line 6 of its output): at column 4, \(Self.bombProblem). Fix the buildpack's bin/release so it prints addons, config_vars and default_process_types.")
        }
    }

    func testABombInBuildpackYAMLNamesTheFileLineAndColumn() throws {
        let temporary = try TemporaryDirectory(prefix: "slugc-yaml")
        defer { temporary.remove() }
        let folder = temporary.appending("bomb")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let manifest = folder.appendingPathComponent("buildpack.yml")
        try Data(("id: bomb\ndetect: {file: x}\n" + Self.aliasBomb).utf8).write(to: manifest)
        XCTAssertThrowsError(try BuildpackCatalog.loadFolder(folder)) { error in
            XCTAssertEqual(String(describing: error), "\(manifest.path):8: at column 4, \(Self.bombProblem).")
        }
    }
}
