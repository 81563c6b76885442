import Foundation
import SlugKit
import SlugTestSupport
import XCTest

/// What a deploy server embedding SlugKit relies on: a download that hangs or never ends is
/// stopped with a sentence, an upload retries 5xx answers, and the JSON log's records.
final class SourceLimitTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var server: TestHTTPServer!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-limits")
        server = try TestHTTPServer(root: temporary.appending("server"))
    }

    override func tearDown() {
        server?.stop()
        temporary?.remove()
    }

    private func request(_ source: SourceLocation) throws -> BuildRequest {
        var request = BuildRequest(source: source, output: temporary.appending("slug.tgz"), buildpacksDirectory: builtInBuildpacks)
        request.temporaryDirectory = temporary.appending("tmp")
        try FileManager.default.createDirectory(at: request.temporaryDirectory, withIntermediateDirectories: true)
        return request
    }

    private func sourceError(_ request: BuildRequest) async -> SourceError? {
        do {
            _ = try await SlugCompiler().build(request) { _ in }
        } catch let error as SourceError {
            return error
        } catch {
            XCTFail("expected a SourceError, got \(error)")
        }
        return nil
    }

    func testAHangingServerTimesOutAndAnEndlessBodyIsStoppedAtTheLimit() async throws {
        let hanging = try XCTUnwrap(URL(string: server.url("hang")))
        var slow = try request(.download(hanging))
        slow.download.timeout = .seconds(1)
        let started = Date()
        let timedOut = await sourceError(slow)
        XCTAssertEqual(timedOut, .downloadTimedOut(url: server.url("hang"), seconds: 1))
        XCTAssertEqual(timedOut?.description, "\(server.url("hang")): the download did not finish within 1 s and was stopped. Check that the server is reachable from here, then try again.")
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)

        var endless = try request(.download(try XCTUnwrap(URL(string: server.url("endless")))))
        endless.download.maxSize = 2 << 20
        let tooLarge = await sourceError(endless)
        XCTAssertEqual(tooLarge?.description, "\(server.url("endless")): the download is larger than 2.0M, the limit for a source tarball, and was stopped. Leave build outputs, dependencies and data out of the source.")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: endless.temporaryDirectory.path), [])
    }

    func testAnUploadRetriesServerErrorsAndGivesUpWithTheStatus() async throws {
        let app = try fixture("static-site", in: temporary)
        var request = try request(.folder(app))
        var upload = SlugUpload(url: try XCTUnwrap(URL(string: server.url("flaky/2/slug.tgz"))))
        upload.retryDelays = [.milliseconds(10)]
        request.upload = upload
        let log = BuildLog()
        let lines = LockedLines()
        _ = try await SlugCompiler().build(request) { event in log.entry(for: event).map { lines.append($0.jsonLine) } }
        XCTAssertEqual(server.uploaded("slug.tgz"), try Data(contentsOf: temporary.appending("slug.tgz")))
        XCTAssertEqual(lines.all.filter { $0.contains("trying again in 0.0 s") }.count, 2, lines.all.joined(separator: "\n"))

        upload.url = try XCTUnwrap(URL(string: server.url("flaky/9/never.tgz")))
        upload.attempts = 3
        request.upload = upload
        do {
            _ = try await SlugCompiler().build(request) { _ in }
            XCTFail("the upload did not fail")
        } catch let error as UploadError {
            XCTAssertEqual(error.description, "The upload to \(server.url("flaky/9/never.tgz")) failed: HTTP 503 Service Unavailable on all 3 attempts. The storage failed, not the request: try again later.")
        }
    }

    func testLogEntriesCarryTheStageBuildpackAndStream() throws {
        let log = BuildLog()
        let time = Date(timeIntervalSince1970: 1_700_000_000.25)
        XCTAssertEqual(log.entry(for: .stageStarted(.compile), at: time)?.jsonLine,
                       #"{"buildpack":null,"event":"stage_started","level":"info","stage":"compile","stream":null,"text":"compile started","time":"2023-11-14T22:13:20.250Z"}"#)
        XCTAssertEqual(log.entry(for: .output("Collecting flask", .standardError, buildpack: "python"), at: time)?.jsonLine,
                       #"{"buildpack":"python","event":"output","level":"info","stage":"compile","stream":"stderr","text":"Collecting flask","time":"2023-11-14T22:13:20.250Z"}"#)
        XCTAssertEqual(log.entry(for: .stageFinished(.compile, .milliseconds(1500)), at: time)?.jsonLine,
                       #"{"buildpack":null,"duration_seconds":1.5,"event":"stage_finished","level":"info","stage":"compile","stream":null,"text":"compile finished in 1.500 s","time":"2023-11-14T22:13:20.250Z"}"#)
        XCTAssertEqual(log.message("done", level: .info, at: time).stage, nil)
        let progress = PackProgress(bytesIn: 2048, bytesOut: 1024, elapsed: .seconds(1))
        XCTAssertNotNil(log.entry(for: .packProgress(progress)))
        XCTAssertNil(log.entry(for: .packProgress(progress)), "pack progress more often than the interval")
    }
}

private final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
