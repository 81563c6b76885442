import Foundation
import SlugKit
import SlugTestSupport
import XCTest

/// The library as a deploy server uses it: events, several builds at once, cancellation.
final class PipelineTests: XCTestCase {
    var temporary: TemporaryDirectory!
    var classic: URL { packageRoot.appendingPathComponent("Fixtures/buildpacks-classic") }

    override func setUpWithError() throws { temporary = try TemporaryDirectory() }
    override func tearDown() { temporary.remove() }

    /// Collects events from whatever task sends them.
    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [BuildEvent] = []
        func append(_ event: BuildEvent) { lock.lock(); stored.append(event); lock.unlock() }
        var events: [BuildEvent] { lock.lock(); defer { lock.unlock() }; return stored }
    }

    func request(app: URL, output: String, buildpack: String = "hello") -> BuildRequest {
        var request = BuildRequest(source: app, output: temporary.appending(output),
                                   buildpacksDirectory: packageRoot.appendingPathComponent("Fixtures/buildpacks-sample"))
        request.buildpacks = [classic.appendingPathComponent(buildpack).path]
        request.temporaryDirectory = temporary.appending("tmp")
        try? FileManager.default.createDirectory(at: request.temporaryDirectory, withIntermediateDirectories: true)
        return request
    }

    func testStagesRunInOrderAndReportEvents() async throws {
        let app = try fixture("classic-app", in: temporary)
        let log = EventLog()
        let result = try await SlugCompiler().build(request(app: app, output: "slug.tgz")) { log.append($0) }
        let stages = log.events.compactMap { event -> BuildStage? in
            if case .stageStarted(let stage) = event { return stage } else { return nil }
        }
        XCTAssertEqual(stages, [.copy, .detect, .compile, .release, .pack])
        XCTAssertTrue(log.events.contains(.step("Hello app detected")))
        XCTAssertTrue(log.events.contains(.output("-----> Saying hello", .standardOutput, buildpack: "hello")))
        XCTAssertTrue(log.events.contains(.output("stderr line from compile", .standardError, buildpack: "hello")))
        XCTAssertTrue(log.events.contains(.detail("Procfile declares types -> web")))
        XCTAssertEqual(result.release.processTypes["web"], "say-hello --from-procfile")
        XCTAssertEqual(result.release.checksum, try SlugInspection.checksum(of: temporary.appending("slug.tgz")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.appending("tmp").path), [])
    }

    func testSeveralBuildsAtOnceInOneProcess() async throws {
        let apps = try (0..<4).map { index -> URL in
            let app = try fixture("classic-app", in: try TemporaryDirectory(prefix: "slugc-concurrent-\(index)"))
            try "app \(index)\n".write(to: app.appendingPathComponent("hello.txt"), atomically: false, encoding: .utf8)
            return app
        }
        defer { apps.forEach { try? FileManager.default.removeItem(at: $0.deletingLastPathComponent()) } }
        let shared = temporary.appending("shared-cache")
        let results = try await withThrowingTaskGroup(of: (Int, BuildResult).self) { group in
            for (index, app) in apps.enumerated() {
                var request = self.request(app: app, output: "slug-\(index).tgz")
                request.cacheDirectory = shared
                group.addTask { (index, try await SlugCompiler().build(request) { _ in }) }
            }
            var collected: [Int: BuildResult] = [:]
            for try await (index, result) in group { collected[index] = result }
            return collected
        }
        XCTAssertEqual(results.count, 4)
        for index in 0..<4 {
            let extracted = try extractWithSystemTar(temporary.appending("slug-\(index).tgz"), in: temporary)
            XCTAssertEqual(readText(extracted.appendingPathComponent("hello.txt")), "app \(index)\n")
        }
        // The shared cache was used by one build at a time: the counter saw every build.
        XCTAssertEqual(readText(shared.appendingPathComponent("hello/runs")), "4\n")
    }

    func testCancellationStopsTheScriptAndRemovesEverything() async throws {
        let app = try fixture("classic-app", in: temporary)
        let hook = app.appendingPathComponent("bin/pre_compile")
        try "#!/usr/bin/env bash\necho started\nsleep 60\n".write(to: hook, atomically: false, encoding: .utf8)
        let slug = temporary.appending("slug.tgz")
        let started = expectation(description: "hook started")
        let request = request(app: app, output: "slug.tgz")
        let task = Task {
            try await SlugCompiler().build(request) { event in
                if case .output("started", _, _) = event { started.fulfill() }
            }
        }
        await fulfillment(of: [started], timeout: 30)
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("a cancelled build succeeded")
        } catch let error as CompileError {
            XCTAssertEqual(error, .cancelled)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: temporary.appending("tmp").path), [])
        let stray = try runCommand("/usr/bin/pgrep", ["-f", "^sleep 60$"])
        XCTAssertNotEqual(stray.exitCode, 0, "the hook's sleep outlived the cancelled build")
    }

    func testAppDirectoryBuildsOnlyThatFolderAndMustStayInside() async throws {
        let monorepo = temporary.appending("monorepo")
        try FileManager.default.createDirectory(at: monorepo, withIntermediateDirectories: true)
        let app = try fixture("classic-app", in: temporary)
        try FileManager.default.moveItem(at: app, to: monorepo.appendingPathComponent("services-hello"))
        try "shared".write(to: monorepo.appendingPathComponent("README"), atomically: false, encoding: .utf8)
        var request = request(app: monorepo, output: "slug.tgz")
        request.appDirectory = "services-hello"
        _ = try await SlugCompiler().build(request) { _ in }
        let extracted = try extractWithSystemTar(try XCTUnwrap(request.output), in: temporary)
        XCTAssertTrue(FileManager.default.fileExists(atPath: extracted.appendingPathComponent("hello.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: extracted.appendingPathComponent("README").path))

        for (bad, expected) in [("../outside", SourceError.appDirectoryOutsideSource(appDirectory: "../outside")),
                                ("/etc", .appDirectoryOutsideSource(appDirectory: "/etc")),
                                ("missing", .appDirectoryMissing(appDirectory: "missing", source: monorepo.path))] {
            request.appDirectory = bad
            do {
                _ = try await SlugCompiler().build(request) { _ in }
                XCTFail("--app-dir \(bad) was accepted")
            } catch let error as SourceError {
                XCTAssertEqual(error, expected)
            }
        }
    }
}
