import Foundation
import SlugTestSupport
import XCTest

/// Swift builds that must fail, with the message a user needs: compiler errors with file:line,
/// and a manifest or .swift-version asking for a newer Swift than the stack has.
final class SwiftBuildpackFailureTests: XCTestCase {
    private let buildpack = builtInBuildpack("swift")
    private var scratch: TemporaryDirectory!

    override func setUpWithError() throws { scratch = try TemporaryDirectory(prefix: "slugc-swift-fail") }
    override func tearDown() { scratch.remove() }

    private func compile(_ fixtureName: String, configVars: [String: String] = [:],
                         edit: (URL) throws -> Void = { _ in }) throws -> CommandResult {
        let app = try fixture(fixtureName, in: scratch, as: "build")
        try edit(app)
        return try compileWithBuildpack(buildpack, build: app, cache: scratch.appending("cache"), configVars: configVars)
    }

    func testBuildFlagsConfigVarReachesSwiftBuild() throws {
        // A flag swift build rejects shows that SWIFT_BUILD_FLAGS is passed on, word by word.
        let build = try compile("swift-web", configVars: ["SWIFT_BUILD_FLAGS": "-v --no-such-flag"])
        XCTAssertNotEqual(build.exitCode, 0)
        XCTAssertTrue(build.output.contains("       SWIFT_BUILD_FLAGS: -v --no-such-flag\n"), build.output)
        XCTAssertTrue(build.output.contains("-----> Building with swift build -c release --static-swift-stdlib -v --no-such-flag\n"), build.output)
        XCTAssertTrue(build.output.contains("error: Unknown option '--no-such-flag'"), build.output)
    }

    func testCompileErrorShowsTheCompilerMessageWithFileAndLine() throws {
        let build = try compile("swift-compile-error")
        XCTAssertNotEqual(build.exitCode, 0)
        XCTAssertTrue(build.output.contains(
            "       Sources/broken/main.swift:2:19: error: cannot convert value of type 'String' to specified type 'Int'\n"), build.output)
        XCTAssertTrue(build.output.hasSuffix("""
             !     swift build failed (exit status 1): the compiler's messages are above, with file:line.
             !     Fix them and push again; 'swift build -c release' reproduces the build locally.

            """), build.output)
        XCTAssertFalse(build.output.contains(scratch.url.path), "messages name files relative to the app: \(build.output)")
    }

    func testManifestNeedingNewerSwiftIsRefusedNamingBothVersions() throws {
        let build = try compile("swift-newer-tools")
        let version = try stackSwiftVersion()
        XCTAssertNotEqual(build.exitCode, 0)
        XCTAssertEqual(build.output, """
            -----> Checking the Swift toolchain
             !     Package.swift:1 declares swift-tools-version 99.0, which needs Swift 99.0 or newer, but this stack has Swift \(version).
             !     Lower the swift-tools-version line to \(version) or below, or build on a stack whose Swift is 99.0 or newer.

            """)
    }

    func testSwiftVersionFileNeedingNewerSwiftIsRefused() throws {
        let build = try compile("swift-web") { app in
            try Data("99.1\n".utf8).write(to: app.appendingPathComponent(".swift-version"))
        }
        let version = try stackSwiftVersion()
        XCTAssertNotEqual(build.exitCode, 0)
        XCTAssertEqual(build.output, """
            -----> Checking the Swift toolchain
             !     .swift-version:1 asks for Swift 99.1, but this stack has Swift \(version).
             !     Change .swift-version to \(version) or lower (or delete it), or build on a stack with Swift 99.1 or newer.

            """)
    }

    func testSwiftVersionFileWithoutAVersionIsRefused() throws {
        let build = try compile("swift-web") { app in
            try Data("latest\n".utf8).write(to: app.appendingPathComponent(".swift-version"))
        }
        let version = try stackSwiftVersion()
        XCTAssertNotEqual(build.exitCode, 0)
        XCTAssertEqual(build.output, """
            -----> Checking the Swift toolchain
             !     .swift-version:1 holds no version number (like 6.3 or 6.3.1): 'latest'.
             !     Write the Swift version the app needs, e.g. \(version), or delete the file.

            """)
    }
}
