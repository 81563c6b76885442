import SlugKit
import XCTest

final class YAMLTests: XCTestCase {
    func testNodesCarryTheirLines() throws {
        let node = try XCTUnwrap(YAML.parse("id: python\ndetect:\n  any:\n    - file: a\n    - dir: b\n"))
        XCTAssertEqual(node["id"]?.string, "python")
        let any = try XCTUnwrap(node["detect"]?["any"]?.sequence)
        XCTAssertEqual(any.count, 2)
        XCTAssertEqual(any[1]["dir"]?.string, "b")
        XCTAssertEqual(any[1].mark, YAMLMark(line: 5, column: 7))
    }

    func testSyntaxErrorsSayWhere() {
        XCTAssertThrowsError(try YAML.parse("a: [1, 2\nb: c\n")) { error in
            guard let error = error as? YAMLSyntaxError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.mark.line, 2)
            XCTAssertTrue(error.description.hasPrefix("line 2, column"), error.description)
        }
    }

    func testEmptyDocumentIsNil() throws {
        XCTAssertNil(try YAML.parse(""))
        XCTAssertNil(try YAML.parse("# only a comment\n"))
    }
}
