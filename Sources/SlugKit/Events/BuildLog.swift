import Foundation

/// One record of the machine-readable build log (`--log-format json`): one JSON object a line.
/// `time`, `stage`, `buildpack`, `stream`, `level` and `text` are always there (null when they
/// do not apply); `event` says what happened, and stage ends and pack progress add numbers.
public struct BuildLogEntry: Sendable, Equatable, Encodable {
    public enum Level: String, Sendable, Encodable { case info, warning, error }

    public var time: Date
    public var stage: BuildStage?
    public var buildpack: String?
    public var stream: OutputStream?
    public var level: Level
    public var text: String
    /// `stage_started`, `step`, `detail`, `output`, `warning`, `pack_progress`, `buildpack_finished`, `stage_finished`,
    /// or `message` for what the CLI says outside a build's events (the summary, an error).
    public var event: String
    /// Seconds the stage (`stage_finished`) or the buildpack's compile (`buildpack_finished`) took.
    public var durationSeconds: Double?
    /// Uncompressed bytes read and compressed bytes written so far (`pack_progress`).
    public var bytesIn: Int64?
    public var bytesOut: Int64?

    public init(time: Date, stage: BuildStage?, buildpack: String? = nil, stream: OutputStream? = nil, level: Level,
                text: String, event: String, durationSeconds: Double? = nil, bytesIn: Int64? = nil, bytesOut: Int64? = nil) {
        self.time = time
        self.stage = stage
        self.buildpack = buildpack
        self.stream = stream
        self.level = level
        self.text = text
        self.event = event
        self.durationSeconds = durationSeconds
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }

    enum CodingKeys: String, CodingKey {
        case time, stage, buildpack, stream, level, text, event
        case durationSeconds = "duration_seconds", bytesIn = "bytes_in", bytesOut = "bytes_out"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(BuildLog.timestamp(time), forKey: .time)
        try container.encode(stage, forKey: .stage)  // null, not missing, outside a stage
        try container.encode(buildpack, forKey: .buildpack)
        try container.encode(stream, forKey: .stream)
        try container.encode(level, forKey: .level)
        try container.encode(text, forKey: .text)
        try container.encode(event, forKey: .event)
        try container.encodeIfPresent(durationSeconds, forKey: .durationSeconds)
        try container.encodeIfPresent(bytesIn, forKey: .bytesIn)
        try container.encodeIfPresent(bytesOut, forKey: .bytesOut)
    }

    /// The entry as one line of JSON, without the newline.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return #"{"level":"error","text":"unencodable log entry"}"# }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Turns a build's events into log entries, knowing which stage is running. One per build;
/// thread-safe, since events come from whatever task produced them.
public final class BuildLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stage: BuildStage?
    private var lastProgress: ContinuousClock.Instant?
    /// Pack progress comes ten times a second; the log keeps one entry per interval.
    public var progressInterval: Duration = .milliseconds(500)

    public init() {}

    /// The entry for `event` (at `time`, else now), or nil for pack progress inside the interval.
    public func entry(for event: BuildEvent, at time: Date? = nil) -> BuildLogEntry? {
        lock.lock()
        defer { lock.unlock() }
        let time = time ?? Date()
        switch event {
        case let .stageStarted(started):
            stage = started
            return BuildLogEntry(time: time, stage: started, level: .info, text: "\(started.rawValue) started", event: "stage_started")
        case let .stageFinished(finished, duration):
            stage = nil
            let seconds = BuildDurations.seconds(duration)
            return BuildLogEntry(time: time, stage: finished, level: .info, text: "\(finished.rawValue) finished in \(String(format: "%.3f", seconds)) s",
                                 event: "stage_finished", durationSeconds: seconds)
        case let .buildpackFinished(buildpack, duration):
            let seconds = BuildDurations.seconds(duration)
            return BuildLogEntry(time: time, stage: stage, buildpack: buildpack, level: .info,
                                 text: "\(buildpack) finished in \(String(format: "%.3f", seconds)) s", event: "buildpack_finished",
                                 durationSeconds: seconds)
        case let .step(text):
            return BuildLogEntry(time: time, stage: stage, level: .info, text: text, event: "step")
        case let .detail(text):
            return BuildLogEntry(time: time, stage: stage, level: .info, text: text, event: "detail")
        case let .output(line, stream, buildpack):
            return BuildLogEntry(time: time, stage: stage, buildpack: buildpack, stream: stream, level: .info, text: line, event: "output")
        case let .warning(warning):
            return BuildLogEntry(time: time, stage: stage, buildpack: warning.buildpack, level: .warning, text: warning.description, event: "warning")
        case let .packProgress(progress):
            let now = ContinuousClock.now
            if let lastProgress, now - lastProgress < progressInterval { return nil }
            lastProgress = now
            return BuildLogEntry(time: time, stage: stage, level: .info,
                                 text: "Packing: \(ByteCount.format(progress.bytesIn)) in, \(ByteCount.format(progress.bytesOut)) out",
                                 event: "pack_progress", bytesIn: progress.bytesIn, bytesOut: progress.bytesOut)
        }
    }

    /// A line the caller says outside the build's events (its summary, an error).
    public func message(_ text: String, level: BuildLogEntry.Level, at time: Date? = nil) -> BuildLogEntry {
        lock.lock()
        defer { lock.unlock() }
        return BuildLogEntry(time: time ?? Date(), stage: stage, level: level, text: text, event: "message")
    }

    /// UTC with milliseconds: `2026-03-01T12:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(milliseconds % 1000))
    }
}
