import Foundation
import SlugKit
import SlugTestSupport
import XCTest

/// Stage durations: what the closing `Built in …` line says, what `build --json` and the JSON log
/// carry, and that a real build fills them in the order its stages ran.
final class BuildDurationsTests: XCTestCase {
    private let sample = BuildDurations(
        total: .milliseconds(4213),
        stages: [(.copy, .milliseconds(104)), (.detect, .milliseconds(12)), (.compile, .milliseconds(3812)),
                 (.release, .milliseconds(21)), (.pack, .milliseconds(302))],
        buildpacks: [.init(id: "python", duration: .milliseconds(3790))])

    func testSummaryNamesEveryStageWithReadablePrecision() {
        XCTAssertEqual(sample.summary, "Built in 4.2 s (copy 0.1 s, detect 0.01 s, compile 3.8 s, release 0.02 s, pack 0.3 s)")
    }

    func testSummaryNamesEachBuildpackWhenSeveralCompiled() {
        var durations = sample
        durations.buildpacks = [.init(id: "python", duration: .milliseconds(3100)), .init(id: "static", duration: .milliseconds(700))]
        XCTAssertEqual(durations.summary,
                       "Built in 4.2 s (copy 0.1 s, detect 0.01 s, compile 3.8 s (python 3.1 s, static 0.7 s), release 0.02 s, pack 0.3 s)")
    }

    func testFormatFromHundredthsToMinutes() {
        XCTAssertEqual(BuildDurations.format(.milliseconds(4)), "0.00 s")
        XCTAssertEqual(BuildDurations.format(.milliseconds(94)), "0.09 s")
        XCTAssertEqual(BuildDurations.format(.milliseconds(96)), "0.1 s")
        XCTAssertEqual(BuildDurations.format(.milliseconds(260)), "0.3 s")
        XCTAssertEqual(BuildDurations.format(.milliseconds(9940)), "9.9 s")
        XCTAssertEqual(BuildDurations.format(.milliseconds(9960)), "10 s")
        XCTAssertEqual(BuildDurations.format(.seconds(69)), "1 min 9 s")
        XCTAssertEqual(BuildDurations.format(.seconds(412)), "6 min 52 s")
    }

    func testBuildJSONAddsDurationsBesideTheReleaseFields() throws {
        let release = ReleaseMetadata(stack: "heroku-24", buildpacks: ["python"])
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: BuildResult.jsonData(release: release, durations: sample)) as? [String: Any])
        XCTAssertEqual(document.keys.sorted(), ["addons", "buildpack_provided_description", "buildpacks", "checksum", "config_vars",
                                                "durations", "process_types", "size", "stack", "warnings"])
        let durations = try XCTUnwrap(document["durations"] as? [String: Any])
        XCTAssertEqual(durations["total"] as? Double, 4.213)
        XCTAssertEqual(durations["stages"] as? [String: Double], ["copy": 0.104, "detect": 0.012, "compile": 3.812, "release": 0.021, "pack": 0.302])
        let buildpacks = try XCTUnwrap(durations["buildpacks"] as? [[String: Any]])
        XCTAssertEqual(buildpacks.map { $0["id"] as? String }, ["python"])
        XCTAssertEqual(buildpacks.map { $0["seconds"] as? Double }, [3.79])
        // The slug's own copy of the metadata has no durations: two builds of one source stay byte-identical.
        XCTAssertFalse(String(decoding: release.embeddedCopy(), as: UTF8.self).contains("durations"))
    }

    func testLogEntryForABuildpackCarriesItsIdAndSeconds() throws {
        let log = BuildLog()
        let time = Date(timeIntervalSince1970: 1_700_000_000.25)
        _ = log.entry(for: .stageStarted(.compile), at: time)
        XCTAssertEqual(log.entry(for: .buildpackFinished("python", .milliseconds(3790)), at: time)?.jsonLine,
                       #"{"buildpack":"python","duration_seconds":3.79,"event":"buildpack_finished","level":"info","stage":"compile","stream":null,"text":"python finished in 3.790 s","time":"2023-11-14T22:13:20.250Z"}"#)
    }

    func testABuildReportsEachStageAndBuildpackInOrder() async throws {
        let temporary = try TemporaryDirectory(prefix: "slugc-durations")
        defer { temporary.remove() }
        let app = try fixture("classic-app", in: temporary)
        var request = BuildRequest(source: app, output: temporary.appending("slug.tgz"),
                                   buildpacksDirectory: packageRoot.appendingPathComponent("Fixtures/buildpacks-sample"))
        request.buildpacks = [packageRoot.appendingPathComponent("Fixtures/buildpacks-classic/hello").path]
        let events = EventRecorder()
        let result = try await SlugCompiler().build(request) { events.append($0) }

        XCTAssertEqual(result.durations.stages.map(\.stage), [.copy, .detect, .compile, .release, .pack])
        XCTAssertEqual(result.durations.buildpacks.map(\.id), ["hello"])
        let stageSum = result.durations.stages.reduce(Duration.zero) { $0 + $1.duration }
        XCTAssertLessThanOrEqual(stageSum, result.durations.total)
        XCTAssertLessThanOrEqual(result.durations.buildpacks[0].duration, try XCTUnwrap(result.durations.duration(of: .compile)))
        // The events say the same: the buildpack's figure comes before the compile stage ends.
        let finished = events.all.compactMap { event -> String? in
            switch event {
            case .buildpackFinished(let id, let duration):
                return duration == result.durations.buildpacks[0].duration ? "buildpack \(id)" : "buildpack \(id) (another figure)"
            case .stageFinished(let stage, let duration):
                return duration == result.durations.duration(of: stage) ? stage.rawValue : "\(stage.rawValue) (another figure)"
            default: return nil
            }
        }
        XCTAssertEqual(finished, ["copy", "detect", "buildpack hello", "compile", "release", "pack"])
    }
}

/// Collects events from whatever task sends them.
private final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [BuildEvent] = []
    func append(_ event: BuildEvent) { lock.lock(); events.append(event); lock.unlock() }
    var all: [BuildEvent] { lock.lock(); defer { lock.unlock() }; return events }
}
