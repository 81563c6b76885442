import Foundation

/// The stages of a build, in the order they run; `upload` only when the slug is uploaded.
public enum BuildStage: String, Sendable, Codable, CaseIterable {
    case copy, detect, compile, release, pack, upload
}

/// A warning collected during a build: it never stops the build, and it ends up in the
/// release metadata's `warnings` as well as on the terminal.
public struct BuildWarning: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The file it is about, relative to the app ("Procfile"), if any.
    public var file: String?
    /// 1-based line in `file`, if any.
    public var line: Int?
    /// The buildpack it is about, if any.
    public var buildpack: String?
    /// A full sentence that says what is wrong and what to do.
    public var message: String

    public init(file: String? = nil, line: Int? = nil, buildpack: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.buildpack = buildpack
        self.message = message
    }

    /// A FIFO, socket or device in the app, which neither the copy stage (`into: "the build"`)
    /// nor the packer (`"the slug"`) can carry.
    static func specialFileLeftOut(_ path: String, of what: String) -> BuildWarning {
        BuildWarning(file: path, message: "left out of \(what): it is a FIFO, a socket or a device, which a slug cannot hold. Remove it from the app (it is usually made at run time).")
    }

    /// "Procfile:3: …" — where first, then what.
    public var description: String {
        var place = ""
        if let file { place = line.map { "\(file):\($0): " } ?? "\(file): " }
        return place + message
    }
}

/// Progress of the pack stage, reported often enough for a progress line.
public struct PackProgress: Sendable, Equatable {
    public var bytesIn: Int64
    public var bytesOut: Int64
    public var elapsed: Duration
    public init(bytesIn: Int64, bytesOut: Int64, elapsed: Duration) {
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.elapsed = elapsed
    }
}

/// What a build reports while it runs. The library sends these; the CLI renders them
/// (`-----> ` for steps, seven spaces for details), a deploy server may forward them.
public enum BuildEvent: Sendable, Equatable {
    case stageStarted(BuildStage)
    /// A headline: rendered as `-----> Python app detected`.
    case step(String)
    /// A detail line under the last step: rendered indented by seven spaces.
    case detail(String)
    /// A line a buildpack script wrote, as it came.
    case output(String, OutputStream, buildpack: String)
    case warning(BuildWarning)
    case packProgress(PackProgress)
    /// One buildpack's `bin/compile` (or `bin/test-compile`) ended after this long; the
    /// compile stage's own `stageFinished` follows the last one.
    case buildpackFinished(String, Duration)
    case stageFinished(BuildStage, Duration)
}

/// Where events go. Called from whatever task produced the event, so it must be thread-safe.
public typealias BuildEventHandler = @Sendable (BuildEvent) -> Void
