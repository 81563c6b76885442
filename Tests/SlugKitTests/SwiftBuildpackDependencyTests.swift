import Foundation
import SlugTestSupport
import XCTest

/// A package with a real dependency (swift-argument-parser from the machine's git mirror):
/// it resolves without the network, and a rebuild with the cache recompiles only the module
/// that changed.
final class SwiftBuildpackDependencyTests: XCTestCase {
    private static let buildpack = builtInBuildpack("swift")
    nonisolated(unsafe) private static var scratch: TemporaryDirectory?  // XCTest: one test at a time
    nonisolated(unsafe) private static var coldBuild: (app: URL, build: CommandResult)?

    /// Git may only use local repositories, and any HTTP(S) attempt goes to a closed port:
    /// a build that needs the network fails instead of quietly using it.
    private static let offline = [
        "GIT_ALLOW_PROTOCOL": "file",
        "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
    ]

    /// `offline`, plus what slugc gives every bin/compile and changes every build: a
    /// `SLUGC_CACHE_LINKS` path in the build's own folder. SwiftPM keys its build plan on the
    /// environment, so the buildpack must keep it from SwiftPM (a rebuild of the Hummingbird
    /// fixture through slugc planned anew and took 8.7 s instead of about 1 s).
    private static func environment() -> [String: String] {
        offline.merging(["SLUGC_CACHE_LINKS": "/nonexistent/slugc-build-\(UUID().uuidString)/scratch/cache-links-0"]) { _, new in new }
    }

    override class func tearDown() {
        scratch?.remove()
        scratch = nil
        coldBuild = nil
    }

    private static func sharedScratch() throws -> TemporaryDirectory {
        if let scratch { return scratch }
        let made = try TemporaryDirectory(prefix: "slugc-swift-deps")
        scratch = made
        return made
    }

    private func compile(_ app: URL) throws -> CommandResult {
        try compileWithBuildpack(Self.buildpack, build: app, cache: Self.sharedScratch().appending("cache"), environment: Self.environment())
    }

    /// The class's one cold build, with an empty cache.
    private func builtCold() throws -> (app: URL, build: CommandResult) {
        if let cold = Self.coldBuild { return cold }
        let app = try fixture("swift-deps", in: Self.sharedScratch(), as: "cold")
        let build = try compile(app)
        XCTAssertTrue(build.succeeded, build.output)
        Self.coldBuild = (app, build)
        return (app, build)
    }

    func testDependencyResolvesFromTheLocalMirrorAndBuilds() throws {
        let (app, build) = try builtCold()
        XCTAssertTrue(build.output.contains("       No build cache yet: building everything\n"), build.output)
        XCTAssertTrue(build.output.contains("       Computed https://github.com/apple/swift-argument-parser at 1.8.2"), build.output)
        XCTAssertTrue(build.output.contains("Compiling ArgumentParser "), build.output)
        XCTAssertEqual(relativeFileListing(app), [".profile.d/swift.sh", ".swift-bin/greet", "Package.swift"])

        let run = try runInDyno(app, command: "greet --name slug")
        XCTAssertEqual(run.stdout, "Hello, slug, from a Swift package with a dependency!\n", run.stderr)
    }

    /// The very first rebuild, right after a cold build with its own cache, compiles and links
    /// nothing and so does not build twice; the cold build, which compiled modules, builds again
    /// before it ends. (After a cold build SwiftPM recompiled two modules of the Hummingbird
    /// fixture in the next build, 20 to 25 s; this small fixture does not show that, so the test
    /// checks the second build itself too.)
    func testFirstRebuildAfterAColdBuildCompilesAndLinksNothing() throws {
        let cache = try Self.sharedScratch().appending("first-rebuild-cache")
        let cold = try compileWithBuildpack(Self.buildpack, build: try fixture("swift-deps", in: Self.sharedScratch(), as: "first-cold"),
                                            cache: cache, environment: Self.environment())
        XCTAssertTrue(cold.succeeded, cold.output)
        XCTAssertTrue(cold.output.contains("-----> Building again, so the next rebuild finds nothing to do\n"), cold.output)
        let rebuild = try compileWithBuildpack(Self.buildpack, build: try fixture("swift-deps", in: Self.sharedScratch(), as: "first-rebuild"),
                                               cache: cache, environment: Self.environment())
        XCTAssertTrue(rebuild.succeeded, rebuild.output)
        XCTAssertFalse(rebuild.output.contains("Building again"), rebuild.output)
        let work = rebuild.output.split(separator: "\n").filter {
            ($0.contains("] Compiling ") && !$0.contains("Compiling plugin")) || $0.contains("] Linking ")
        }
        XCTAssertEqual(work, [], rebuild.output)
    }

    func testRebuildWithNoChangeCompilesAndLinksNothing() throws {
        _ = try builtCold()
        // The first rebuild brings the cache to the fixture as it is (another test may have left a
        // changed module in it); the second, from yet another fresh BUILD_DIR and TMPDIR, must find
        // nothing to do: no module, no link, and no new plan (a new plan recompiled whole modules).
        let first = try compile(try fixture("swift-deps", in: Self.sharedScratch(), as: "unchanged-1"))
        XCTAssertTrue(first.succeeded, first.output)
        let app = try fixture("swift-deps", in: Self.sharedScratch(), as: "unchanged-2")
        let build = try compile(app)
        XCTAssertTrue(build.succeeded, build.output)
        // SwiftPM prints "Compiling plugin" on every build, even one that takes half a second.
        let work = build.output.split(separator: "\n").filter {
            ($0.contains("] Compiling ") && !$0.contains("Compiling plugin")) || $0.contains("] Linking ") || $0.contains("] Planning build")
        }
        XCTAssertEqual(work, [], build.output)
        XCTAssertTrue(build.output.contains("       Build complete!"), build.output)

        let run = try runInDyno(app, command: "greet --name slug")
        XCTAssertEqual(run.stdout, "Hello, slug, from a Swift package with a dependency!\n", run.stderr)
    }

    func testRebuildAfterChangingOneModuleRecompilesOnlyThatModule() throws {
        _ = try builtCold()
        // A fresh BUILD_DIR, as every build gets, with one source file changed.
        let app = try fixture("swift-deps", in: Self.sharedScratch(), as: "changed")
        let source = app.appendingPathComponent("Sources/Greeting/Greeting.swift")
        let text = try String(contentsOf: source, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "Hello, ", with: "Howdy, ").utf8).write(to: source)

        let build = try compile(app)
        XCTAssertTrue(build.succeeded, build.output)
        XCTAssertTrue(build.output.contains("       Reusing the build cache: only what changed recompiles\n"), build.output)
        let compiled = build.output.split(separator: "\n").filter { $0.contains("] Compiling ") && !$0.contains("Compiling plugin") }
        XCTAssertEqual(compiled.map { $0.split(separator: "]").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" },
                       ["Compiling Greeting Greeting.swift"], build.output)
        XCTAssertFalse(build.output.contains("Fetching https://github.com/apple/swift-argument-parser"), build.output)

        let run = try runInDyno(app, command: "greet --name slug")
        XCTAssertEqual(run.stdout, "Howdy, slug, from a Swift package with a dependency!\n", run.stderr)
    }
}
