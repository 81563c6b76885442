import SlugKit
import SlugTestSupport
import XCTest

final class ReleaseTests: XCTestCase {
    func testReleaseYAMLReadsAllThreeKeys() throws {
        let release = try ReleaseYAML.parse("""
            ---
            addons:
              - heroku-postgresql
            config_vars:
              LANG: en_US.UTF-8
            default_process_types:
              web: bin/server --port $PORT
              console: bin/console
            """, buildpack: "ruby")
        XCTAssertEqual(release.addons, ["heroku-postgresql"])
        XCTAssertEqual(release.configVars, ["LANG": "en_US.UTF-8"])
        XCTAssertEqual(release.defaultProcessTypes.types, ["web", "console"])
        XCTAssertEqual(release.defaultProcessTypes["web"], "bin/server --port $PORT")
    }

    func testEmptyReleaseIsEmpty() throws {
        XCTAssertEqual(try ReleaseYAML.parse("", buildpack: "x"), ReleaseYAML())
        XCTAssertEqual(try ReleaseYAML.parse("---\naddons:\nconfig_vars:\n", buildpack: "x"), ReleaseYAML())
    }

    func testBadReleaseYAMLNamesTheBuildpackAndLine() {
        XCTAssertThrowsError(try ReleaseYAML.parse("---\ndefault_process_types:\n  - web\n", buildpack: "mine")) { error in
            XCTAssertEqual(String(describing: error),
                           "bin/release of buildpack mine printed invalid release YAML (line 3 of its output): default_process_types must be a mapping, found a list. Fix the buildpack's bin/release so it prints addons, config_vars and default_process_types.")
        }
        XCTAssertThrowsError(try ReleaseYAML.parse("default_process_types: {web: [\n", buildpack: "mine")) { error in
            guard case .invalidReleaseYAML(let buildpack, let line, _)? = error as? ReleaseError else { return XCTFail("\(error)") }
            XCTAssertEqual(buildpack, "mine")
            XCTAssertEqual(line, 2)
        }
    }

    func testMetadataJSONHasThePlatformAPIFieldNames() throws {
        let release = ReleaseMetadata(processTypes: ProcessTypes([("web", "./server"), ("worker", "./work")]),
                                      checksum: "SHA256:abc", size: 42, stack: "heroku-24",
                                      buildpackProvidedDescription: "Python", buildpacks: ["python"],
                                      warnings: ["Procfile:3: something"])
        let golden = """
            {
              "addons" : [

              ],
              "buildpack_provided_description" : "Python",
              "buildpacks" : [
                "python"
              ],
              "checksum" : "SHA256:abc",
              "config_vars" : {

              },
              "process_types" : {
                "web" : "./server",
                "worker" : "./work"
              },
              "size" : 42,
              "stack" : {
                "name" : "heroku-24"
              },
              "warnings" : [
                "Procfile:3: something"
              ]
            }
            """
        XCTAssertEqual(String(decoding: release.jsonData(), as: UTF8.self), golden)
        let embedded = try ReleaseMetadata.decode(release.embeddedCopy())
        XCTAssertNil(embedded.checksum)
        XCTAssertNil(embedded.size)
        XCTAssertEqual(embedded.processTypes, release.processTypes)
    }

    func testConfigVarNamesMustBeFileNames() throws {
        var vars = ConfigVars()
        try vars.set(assignment: "MULTI=line one\nline two")
        XCTAssertEqual(vars.values["MULTI"], "line one\nline two")
        for bad in ["=x", "../EVIL=1", "a/b=1", "..=1", "NOEQUALS"] {
            XCTAssertThrowsError(try vars.set(assignment: bad), bad)
        }
        XCTAssertThrowsError(try vars.set(assignment: "a/b=1")) { error in
            XCTAssertEqual(String(describing: error), "Config var \"a/b\" cannot be used: a name may not contain \"/\" or be \".\" or \"..\".")
        }
    }

    func testSizesParseAndPrintLikeHeroku() {
        XCTAssertEqual(ByteCount.parse("500M"), 500 * 1024 * 1024)
        XCTAssertEqual(ByteCount.parse("1G"), 1 << 30)
        XCTAssertEqual(ByteCount.parse("1234"), 1234)
        XCTAssertNil(ByteCount.parse("lots"))
        XCTAssertEqual(ByteCount.format(526_909_030), "502.5M")
        XCTAssertEqual(ByteCount.format(512), "512B")
    }
}
