import Foundation

/// How long a build and each of its stages took: the CLI's closing `Built in …` line and
/// `build --json`'s `durations` object come from it.
public struct BuildDurations: Sendable, Equatable, Encodable {
    /// How long one buildpack's `bin/compile` ran.
    public struct BuildpackDuration: Sendable, Equatable {
        public var id: String
        public var duration: Duration
        public init(id: String, duration: Duration) {
            self.id = id
            self.duration = duration
        }
    }

    /// From the start of the copy stage to the end of the last stage.
    public var total: Duration = .zero
    /// The stages that ran, in the order they ran.
    public var stages: [(stage: BuildStage, duration: Duration)] = []
    /// Each buildpack's compile, in the order they ran (their sum is most of `compile`).
    public var buildpacks: [BuildpackDuration] = []

    public init(total: Duration = .zero, stages: [(stage: BuildStage, duration: Duration)] = [], buildpacks: [BuildpackDuration] = []) {
        self.total = total
        self.stages = stages
        self.buildpacks = buildpacks
    }

    public static func == (lhs: BuildDurations, rhs: BuildDurations) -> Bool {
        lhs.total == rhs.total && lhs.buildpacks == rhs.buildpacks
            && lhs.stages.map(\.stage) == rhs.stages.map(\.stage) && lhs.stages.map(\.duration) == rhs.stages.map(\.duration)
    }

    /// The time `stage` took, if it ran.
    public func duration(of stage: BuildStage) -> Duration? {
        stages.first { $0.stage == stage }?.duration
    }

    /// `Built in 4.2 s (copy 0.1 s, detect 0.01 s, compile 3.8 s, release 0.02 s, pack 0.3 s)`; with
    /// several buildpacks the compile figure names each: `compile 3.8 s (python 3.1 s, static 0.7 s)`.
    public var summary: String {
        let parts = stages.map { stage, duration -> String in
            var part = "\(stage.rawValue) \(Self.format(duration))"
            if stage == .compile, buildpacks.count > 1 {
                part += " (" + buildpacks.map { "\($0.id) \(Self.format($0.duration))" }.joined(separator: ", ") + ")"
            }
            return part
        }
        return "Built in \(Self.format(total))" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")")
    }

    /// Seconds with as many digits as a reader needs: `0.01 s`, `0.3 s`, `4.2 s`, `69 s`, `6 min 52 s`.
    public static func format(_ duration: Duration) -> String {
        let seconds = Self.seconds(duration)
        switch seconds {
        case ..<0.095: return String(format: "%.2f s", seconds)
        case ..<9.95: return String(format: "%.1f s", seconds)
        case ..<59.5: return String(format: "%.0f s", seconds)
        default:
            let whole = Int(seconds.rounded())
            return "\(whole / 60) min \(whole % 60) s"
        }
    }

    /// A duration in seconds, as the JSON log and `build --json` carry it.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Seconds rounded to the millisecond, so the JSON does not pretend to more precision.
    static func milliseconds(_ duration: Duration) -> Double {
        (seconds(duration) * 1000).rounded() / 1000
    }

    enum CodingKeys: String, CodingKey { case total, stages, buildpacks }
    enum BuildpackKeys: String, CodingKey { case id, seconds }
    struct StageKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// `{"total": 4.213, "stages": {"copy": 0.104, …}, "buildpacks": [{"id": "python", "seconds": 3.812}]}`, all in seconds.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.milliseconds(total), forKey: .total)
        var stageContainer = container.nestedContainer(keyedBy: StageKey.self, forKey: .stages)
        for (stage, duration) in stages {
            try stageContainer.encode(Self.milliseconds(duration), forKey: StageKey(stringValue: stage.rawValue))
        }
        var buildpackContainer = container.nestedUnkeyedContainer(forKey: .buildpacks)
        for buildpack in buildpacks {
            var entry = buildpackContainer.nestedContainer(keyedBy: BuildpackKeys.self)
            try entry.encode(buildpack.id, forKey: .id)
            try entry.encode(Self.milliseconds(buildpack.duration), forKey: .seconds)
        }
    }
}
