import Foundation
import SlugTestSupport
import XCTest

/// The Swift buildpack on a web server in plain Swift (sockets, no dependencies): build, boot
/// with PORT, answer HTTP; what goes into the slug; static and dynamic runtime; the cache lock.
final class SwiftBuildpackWebTests: XCTestCase {
    private static let buildpack = builtInBuildpack("swift")
    nonisolated(unsafe) private static var scratch: TemporaryDirectory?  // XCTest: one test at a time
    nonisolated(unsafe) private static var firstBuild: (app: URL, build: CommandResult)?

    override class func tearDown() {
        scratch?.remove()
        scratch = nil
        firstBuild = nil
    }

    private static func sharedScratch() throws -> TemporaryDirectory {
        if let scratch { return scratch }
        let made = try TemporaryDirectory(prefix: "slugc-swift-web")
        scratch = made
        return made
    }

    /// The class's one cold build; later builds in this class reuse its cache folder.
    private func builtServer() throws -> (app: URL, build: CommandResult) {
        if let first = Self.firstBuild { return first }
        let (app, build) = try compileCopy(into: "first")
        XCTAssertTrue(build.succeeded, build.output)
        Self.firstBuild = (app, build)
        return (app, build)
    }

    private var sharedCache: URL { get throws { try Self.sharedScratch().appending("cache") } }

    /// Copies the fixture into `Self.scratch/<name>` and compiles it there.
    private func compileCopy(into name: String, cache: URL? = nil,
                             configVars: [String: String] = [:]) throws -> (app: URL, build: CommandResult) {
        let app = try fixture("swift-web", in: Self.sharedScratch(), as: name)
        return (app, try compileWithBuildpack(Self.buildpack, build: app, cache: cache ?? sharedCache, configVars: configVars))
    }

    func testPlainServerBootsWithPortAndAnswersHTTP() throws {
        let (app, build) = try builtServer()
        XCTAssertTrue(build.output.contains("-----> Building with swift build -c release --static-swift-stdlib\n"), build.output)
        XCTAssertTrue(build.output.contains("       Default process type: web: server (the package's only executable product)\n"), build.output)

        let release = try releaseWithBuildpack(Self.buildpack, build: app)
        XCTAssertEqual(release, "---\ndefault_process_types:\n  web: server\n")

        let port = freePort()
        let dyno = try startDyno(in: app, command: "server", port: port)
        defer { dyno.stop() }
        let response = try waitForHTTP(port: port)
        XCTAssertEqual(response.status, 200, dyno.output)
        XCTAssertEqual(response.body, "Hello from plain Swift on port \(port)\n")
    }

    func testSlugHoldsTheExecutableAndProfileButNotSources() throws {
        let (app, build) = try builtServer()
        XCTAssertEqual(relativeFileListing(app), [".profile.d/swift.sh", ".swift-bin/server", "Package.swift"])
        XCTAssertTrue(build.output.contains("       Left out of the slug: Sources/server (SWIFT_KEEP_SOURCES=1 keeps them)\n"), build.output)
        let profile = try String(contentsOf: app.appendingPathComponent(".profile.d/swift.sh"), encoding: .utf8)
        XCTAssertTrue(profile.contains(#"export PATH="$HOME/.swift-bin:$PATH""#), profile)
        XCTAssertFalse(profile.contains("LD_LIBRARY_PATH"), profile)
        // Static runtime: the executable loads no Swift library.
        let libraries = try runCommand("/usr/bin/ldd", [app.appendingPathComponent(".swift-bin/server").path])
        XCTAssertFalse(libraries.stdout.contains("libswiftCore"), libraries.stdout)
    }

    func testExecutablesLoseDebugInfoButBacktracesStillNameFunctions() throws {
        let (app, build) = try builtServer()
        let stripped = build.output.split(separator: "\n").filter { $0.hasPrefix("       Stripped debug information: ") }
        XCTAssertEqual(stripped.count, 1, build.output)
        XCTAssertNotNil(stripped.first?.range(of: #"^       Stripped debug information: [0-9.]+ MB -> [0-9.]+ MB \(backtraces still name functions; SWIFT_KEEP_DEBUG_INFO=1 keeps it\)$"#,
                                              options: .regularExpression), build.output)
        let executable = app.appendingPathComponent(".swift-bin/server").path
        let sections = try sectionNames(executable)
        XCTAssertFalse(sections.contains(".debug_info"), "\(sections)")
        XCTAssertTrue(sections.contains(".symtab"), "\(sections)")

        // A crash (port 70000 overflows a UInt16) under Swift's backtracer names the function it was in.
        let crash = try runCommand(executable, [], environment: [
            "PORT": "70000", "SWIFT_BACKTRACE": "enable=yes,color=no,interactive=no,swift-backtrace=\(try backtracer())",
        ])
        XCTAssertNotEqual(crash.exitCode, 0, crash.output)
        XCTAssertTrue(crash.output.contains("*** Program crashed: "), crash.output)
        XCTAssertNotNil(crash.output.range(of: #" server_main \+ [0-9]+ in server"#, options: .regularExpression), crash.output)
    }

    func testKeepDebugInfoConfigVarShipsTheDebugInfo() throws {
        _ = try builtServer()
        let (app, build) = try compileCopy(into: "debug-info", configVars: ["SWIFT_KEEP_DEBUG_INFO": "1"])
        XCTAssertTrue(build.succeeded, build.output)
        XCTAssertTrue(build.output.contains("       SWIFT_KEEP_DEBUG_INFO is set: the executables keep their debug information\n"), build.output)
        XCTAssertFalse(build.output.contains("Stripped debug information"), build.output)
        XCTAssertTrue(try sectionNames(app.appendingPathComponent(".swift-bin/server").path).contains(".debug_info"))
    }

    /// The section names of an ELF file, as binutils' readelf lists them.
    private func sectionNames(_ path: String) throws -> [String] {
        let listing = try runCommand("/usr/bin/readelf", ["-S", "--wide", path])
        XCTAssertEqual(listing.exitCode, 0, listing.stderr)
        return listing.stdout.split(separator: "\n").compactMap { line in
            guard let close = line.firstIndex(of: "]") else { return nil }
            return line[line.index(after: close)...].split(separator: " ").first.map(String.init)
        }
    }

    /// The toolchain's backtracer for statically linked programs (the dyno has none; the test machine's toolchain does).
    private func backtracer() throws -> String {
        let swift = try runCommand("/bin/sh", ["-c", "readlink -f \"$(command -v swift)\""]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let path = URL(fileURLWithPath: swift).deletingLastPathComponent().appendingPathComponent("../libexec/swift/linux/swift-backtrace-static").standardized.path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw FixtureError(message: "the toolchain has no backtracer at \(path)") }
        return path
    }

    func testKeepSourcesConfigVarKeepsSources() throws {
        _ = try builtServer()
        let (app, build) = try compileCopy(into: "keep", configVars: ["SWIFT_KEEP_SOURCES": "1"])
        XCTAssertTrue(build.succeeded, build.output)
        XCTAssertTrue(build.output.contains("       SWIFT_KEEP_SOURCES is set: Sources, Package.resolved and .build stay in the slug\n"), build.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: app.appendingPathComponent("Sources/server/main.swift").path))
    }

    func testDynamicStdlibShipsRuntimeLibrariesAndSetsLibraryPath() throws {
        _ = try builtServer()
        let (app, build) = try compileCopy(into: "dynamic", configVars: ["SWIFT_DYNAMIC_STDLIB": "1"])
        XCTAssertTrue(build.succeeded, build.output)
        XCTAssertTrue(build.output.contains("-----> Building with swift build -c release\n"), build.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: app.appendingPathComponent(".swift-lib/libswiftCore.so").path))
        let profile = try String(contentsOf: app.appendingPathComponent(".profile.d/swift.sh"), encoding: .utf8)
        XCTAssertTrue(profile.contains(#"export LD_LIBRARY_PATH="$HOME/.swift-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}""#), profile)

        // Under the dyno's profile the runtime comes from the slug, not from the toolchain.
        let libraries = try runInDyno(app, command: "ldd .swift-bin/server")
        XCTAssertTrue(libraries.stdout.contains("libswiftCore.so => \(app.resolvingSymlinksInPath().path)/.swift-lib/libswiftCore.so")
                      || libraries.stdout.contains("libswiftCore.so => \(app.path)/.swift-lib/libswiftCore.so"), libraries.stdout)

        let port = freePort()
        let dyno = try startDyno(in: app, command: "server", port: port)
        defer { dyno.stop() }
        XCTAssertEqual(try waitForHTTP(port: port).body, "Hello from plain Swift on port \(port)\n", dyno.output)
    }

    func testBuildsSharingACacheTakeTurns() throws {
        _ = try builtServer()
        let cache = try sharedCache
        // Someone else holds the cache: the build says it waits, then succeeds.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [cache.appendingPathComponent("swift.lock").path, "sleep", "2"]
        try holder.run()
        usleep(300_000)
        let (_, waited) = try compileCopy(into: "waited")
        holder.waitUntilExit()
        XCTAssertTrue(waited.succeeded, waited.output)
        XCTAssertTrue(waited.output.contains("       Waiting for another build that uses the same cache folder\n"), waited.output)

        // Two builds at once on one cache both succeed and both executables serve.
        let lock = NSLock()
        // Both slots are written under `lock` and read after concurrentPerform returns.
        nonisolated(unsafe) var results: [(app: URL, build: CommandResult)?] = [nil, nil]
        nonisolated(unsafe) let test = self
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let build = try? test.compileCopy(into: "concurrent-\(index)")
            lock.withLock { results[index] = build }
        }
        for result in results {
            let (app, build) = try XCTUnwrap(result)
            XCTAssertTrue(build.succeeded, build.output)
            let run = try runInDyno(app, command: "test -x .swift-bin/server && echo ok")
            XCTAssertEqual(run.stdout, "ok\n")
        }
    }

    func testCacheFromAnotherToolchainIsDiscarded() throws {
        let cache = try Self.sharedScratch().appending("foreign-cache")
        let state = cache.appendingPathComponent("swift")
        try FileManager.default.createDirectory(at: state.appendingPathComponent("build"), withIntermediateDirectories: true)
        try Data("Swift version 5.10.1 (swift-5.10.1-RELEASE)\n".utf8).write(to: state.appendingPathComponent("toolchain"))
        try Data().write(to: state.appendingPathComponent("build/stale-marker"))

        let (_, build) = try compileCopy(into: "foreign", cache: cache)
        XCTAssertTrue(build.succeeded, build.output)
        let version = try stackSwiftVersion()
        XCTAssertTrue(build.output.contains("-----> Restoring the build cache\n       Discarding the build cache: it was built with Swift 5.10.1, this stack has Swift \(version)\n"), build.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state.appendingPathComponent("build/stale-marker").path))
    }
}
