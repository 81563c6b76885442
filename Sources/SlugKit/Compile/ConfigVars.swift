import Foundation

/// Config vars for a build (`--env KEY=VALUE`, `--env-dir DIR`), written to ENV_DIR as one
/// file per variable, the way Heroku hands them to `bin/compile`.
public struct ConfigVars: Sendable, Equatable {
    public private(set) var values: [String: String] = [:]

    public init() {}

    /// Adds or replaces a variable after checking that its name can be a file name in ENV_DIR.
    public mutating func set(_ name: String, _ value: String) throws(CompileError) {
        try Self.validate(name)
        values[name] = value
    }

    /// Parses `KEY=VALUE` as given on the command line.
    public mutating func set(assignment: String) throws(CompileError) {
        guard let equals = assignment.firstIndex(of: "=") else {
            throw .invalidConfigVar(name: assignment, reason: "it has no \"=\"; write it as KEY=VALUE")
        }
        try set(String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...]))
    }

    /// Reads every regular file in `directory` as a variable (name = file name, value = contents).
    public mutating func load(directory: URL) throws(CompileError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() } catch {
            throw .unreadableEnvDirectory(path: directory.path, reason: "it cannot be listed")
        }
        for name in names where !name.hasPrefix(".") {
            let file = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let data = FileManager.default.contents(atPath: file.path) else {
                throw .unreadableEnvDirectory(path: file.path, reason: "the file cannot be read")
            }
            try set(name, String(decoding: data, as: UTF8.self))
        }
    }

    /// Writes one file per variable into `directory` (created if needed).
    func write(to directory: URL) throws(CompileError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for (name, value) in values {
                try Data(value.utf8).write(to: directory.appendingPathComponent(name))
            }
        } catch {
            throw .io(path: directory.path, reason: "cannot write config vars: \(error.localizedDescription)")
        }
    }

    /// A name must be a single, ordinary file name: no "/", not "." or "..", not empty.
    static func validate(_ name: String) throws(CompileError) {
        if name.isEmpty { throw .invalidConfigVar(name: name, reason: "the name is empty") }
        if name.contains("/") || name == "." || name == ".." || name.contains("\0") {
            throw .invalidConfigVar(name: name, reason: "a name may not contain \"/\" or be \".\" or \"..\"")
        }
        if name.contains("=") { throw .invalidConfigVar(name: name, reason: "a name may not contain \"=\"") }
    }
}
