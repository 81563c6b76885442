import SlugKit
import SlugTestSupport
import XCTest

final class ProcfileTests: XCTestCase {
    func testMessyFixtureKeepsGoodLinesAndWarnsAboutTheRest() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Fixtures/procfile-messy/Procfile"), encoding: .utf8)
        let procfile = try Procfile.parse(text)
        XCTAssertEqual(procfile.processTypes.types, ["web", "worker", "release"])
        XCTAssertEqual(procfile.processTypes["web"], "python3 -m http.server $PORT")
        XCTAssertEqual(procfile.processTypes["worker"], "python3 worker.py && echo done")
        XCTAssertEqual(procfile.processTypes["release"], "./bin/migrate \"quoted arg\"")
        XCTAssertEqual(procfile.warnings.map(\.description), [
            "Procfile:6: ignored line \"this line is not a process type\": a process type line looks like \"web: command\".",
            "Procfile:7: process type \"web\" is declared again (first on line 2); the command on line 7 wins.",
            "Procfile:8: ignored line \"bad type!: echo nope\": process type \"bad type!\" may use only letters, digits, \"-\" and \"_\" (at most 128).",
        ])
    }

    func testEmptyCommandIsAnErrorWithItsLine() {
        XCTAssertThrowsError(try Procfile.parse("web: ./start\nworker:\n")) { error in
            XCTAssertEqual(error as? ProcfileError, .emptyCommand(file: "Procfile", line: 2, type: "worker"))
            XCTAssertEqual(String(describing: error),
                           "Procfile:2: process type \"worker\" has no command. Write the command after the colon, e.g. \"worker: ./bin/start\", or remove the line.")
        }
    }

    func testColonsInsideTheCommandAreKept() throws {
        let procfile = try Procfile.parse("web: bundle exec puma -b tcp://0.0.0.0:$PORT\n")
        XCTAssertEqual(procfile.processTypes["web"], "bundle exec puma -b tcp://0.0.0.0:$PORT")
        XCTAssertTrue(procfile.warnings.isEmpty)
    }

    func testTypeNamesFollowThePlatformAPI() {
        XCTAssertTrue(Procfile.isValidTypeName("web"))
        XCTAssertTrue(Procfile.isValidTypeName("worker_2-fast"))
        XCTAssertFalse(Procfile.isValidTypeName(""))
        XCTAssertFalse(Procfile.isValidTypeName("wéb"))
        XCTAssertFalse(Procfile.isValidTypeName(String(repeating: "a", count: 129)))
    }

    func testProcfileOverridesDefaultsInPlace() {
        let defaults = ProcessTypes([("web", "default-web"), ("console", "python3")])
        let merged = defaults.merging(ProcessTypes([("web", "gunicorn app:app"), ("worker", "celery")]))
        XCTAssertEqual(merged.types, ["web", "console", "worker"])
        XCTAssertEqual(merged["web"], "gunicorn app:app")
    }
}
