import Foundation

/// What a classic `bin/release` prints: YAML with `addons`, `config_vars` and
/// `default_process_types`, all optional.
public struct ReleaseYAML: Sendable, Equatable {
    public var addons: [String] = []
    public var configVars: [String: String] = [:]
    public var defaultProcessTypes = ProcessTypes()

    public init() {}

    /// Parses `bin/release` output; errors name the buildpack and the line.
    public static func parse(_ text: String, buildpack: String) throws(ReleaseError) -> ReleaseYAML {
        var release = ReleaseYAML()
        let root: YAMLNode?
        do { root = try YAML.parse(text) } catch {
            let message = error.kind == .syntax ? error.problem : "at column \(error.mark.column), \(error.problem)"
            throw .invalidReleaseYAML(buildpack: buildpack, line: error.mark.line, message: message)
        }
        guard let root else { return release }
        guard root.mapping != nil else {
            throw .invalidReleaseYAML(buildpack: buildpack, line: root.mark.line, message: "expected a mapping with addons, config_vars and default_process_types, found \(root.kindName)")
        }
        if let addons = root["addons"], addons.string != "" {
            guard let items = addons.sequence else {
                throw .invalidReleaseYAML(buildpack: buildpack, line: addons.mark.line, message: "addons must be a list, found \(addons.kindName)")
            }
            release.addons = items.compactMap(\.string)
        }
        release.configVars = try stringMap(root["config_vars"], key: "config_vars", buildpack: buildpack)
        for (type, command) in try orderedStringPairs(root["default_process_types"], key: "default_process_types", buildpack: buildpack) {
            guard Procfile.isValidTypeName(type.value) else {
                throw .invalidReleaseYAML(buildpack: buildpack, line: type.line, message: "process type \"\(type.value)\" may use only letters, digits, \"-\" and \"_\"")
            }
            release.defaultProcessTypes[type.value] = command
        }
        return release
    }

    private static func stringMap(_ node: YAMLNode?, key: String, buildpack: String) throws(ReleaseError) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in try orderedStringPairs(node, key: key, buildpack: buildpack) { result[name.value] = value }
        return result
    }

    private static func orderedStringPairs(_ node: YAMLNode?, key: String, buildpack: String) throws(ReleaseError) -> [((value: String, line: Int), String)] {
        // An empty value (`config_vars:` with nothing under it) is an empty map, as Heroku treats it.
        guard let node, node.string != "" else { return [] }
        guard let pairs = node.mapping else {
            throw .invalidReleaseYAML(buildpack: buildpack, line: node.mark.line, message: "\(key) must be a mapping, found \(node.kindName)")
        }
        var result: [((value: String, line: Int), String)] = []
        for pair in pairs {
            guard let name = pair.key.string, let value = pair.value.string else {
                throw .invalidReleaseYAML(buildpack: buildpack, line: pair.key.mark.line, message: "\(key) entries must be plain text (name: value)")
            }
            result.append(((name, pair.key.mark.line), value))
        }
        return result
    }
}

/// Why the release stage failed (exit 40).
public enum ReleaseError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidReleaseYAML(buildpack: String, line: Int, message: String)
    case releaseScriptFailed(buildpack: String, outcome: String, errorTail: [String])
    case procfile(ProcfileError)

    public var description: String {
        switch self {
        case let .invalidReleaseYAML(buildpack, line, message):
            return "bin/release of buildpack \(buildpack) printed invalid release YAML (line \(line) of its output): \(message). Fix the buildpack's bin/release so it prints addons, config_vars and default_process_types."
        case let .releaseScriptFailed(buildpack, outcome, tail):
            var text = "bin/release of buildpack \(buildpack) \(outcome). Run it by hand (bin/release BUILD_DIR) to see why."
            if !tail.isEmpty { text += "\n" + tail.map { "       " + $0 }.joined(separator: "\n") }
            return text
        case let .procfile(error):
            return error.description
        }
    }
}
