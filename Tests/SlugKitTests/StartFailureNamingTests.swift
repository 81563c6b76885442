import Foundation
@testable import SlugKit
import XCTest

/// `StartFailure.naming`: paths under the folder a script ran from are shown under the name the
/// user gave; anything else is left alone.
final class StartFailureNamingTests: XCTestCase {
    let copy = "/tmp/slugc-build-AbC123/scratch/buildpack-0-mine"

    func testPathsUnderTheFolderAreRenamed() {
        XCTAssertEqual(StartFailure.missingProgram(path: copy + "/bin/detect").naming(copy, as: "bp.tgz").description,
                       "bp.tgz/bin/detect does not exist")
        XCTAssertEqual(StartFailure.notExecutable(path: copy + "/bin/compile").naming(copy, as: "/srv/bp").description,
                       "/srv/bp/bin/compile is not executable: run chmod +x on it")
        XCTAssertEqual(StartFailure.missingInterpreter(interpreter: copy + "/vendor/python").naming(copy, as: "bp.tgz").description,
                       "its #! line names bp.tgz/vendor/python, which this stack does not have: install it, or change the #! line")
        XCTAssertEqual(StartFailure.other(reason: "\(copy)/bin/detect: Text file busy").naming(copy, as: "bp.tgz"),
                       .other(reason: "bp.tgz/bin/detect: Text file busy"))
    }

    func testPathsElsewhereAndPrefixLookalikesAreKept() {
        XCTAssertEqual(StartFailure.missingInterpreter(interpreter: "/usr/bin/python2.2").naming(copy, as: "bp.tgz"),
                       .missingInterpreter(interpreter: "/usr/bin/python2.2"))
        XCTAssertEqual(StartFailure.missingProgram(path: copy + "-other/bin/detect").naming(copy, as: "bp.tgz"),
                       .missingProgram(path: copy + "-other/bin/detect"))
        XCTAssertEqual(StartFailure.carriageReturn(line: "#!/bin/sh").naming(copy, as: "bp.tgz"), .carriageReturn(line: "#!/bin/sh"))
    }
}
