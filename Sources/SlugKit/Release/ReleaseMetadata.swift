import Foundation

/// A slug's release metadata, shaped like Heroku's Platform API slug object.
///
/// It is printed by `build --json`, `pack --json` and `inspect --json`, and travels inside the
/// slug as `.slugc/release.json` (without `checksum` and `size`, which describe the file
/// the metadata sits in) so that `run` and `inspect` need nothing but the slug.
public struct ReleaseMetadata: Sendable, Equatable, Codable {
    public struct Stack: Sendable, Equatable, Codable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    public var processTypes: ProcessTypes
    public var checksum: String?
    public var size: Int64?
    public var stack: Stack
    public var buildpackProvidedDescription: String?
    /// Ids of the buildpacks in the order they ran.
    public var buildpacks: [String]
    public var configVars: [String: String]
    public var addons: [String]
    public var warnings: [String]

    public init(processTypes: ProcessTypes = ProcessTypes(), checksum: String? = nil, size: Int64? = nil,
                stack: String, buildpackProvidedDescription: String? = nil, buildpacks: [String] = [],
                configVars: [String: String] = [:], addons: [String] = [], warnings: [String] = []) {
        self.processTypes = processTypes
        self.checksum = checksum
        self.size = size
        self.stack = Stack(name: stack)
        self.buildpackProvidedDescription = buildpackProvidedDescription
        self.buildpacks = buildpacks
        self.configVars = configVars
        self.addons = addons
        self.warnings = warnings
    }

    enum CodingKeys: String, CodingKey {
        case processTypes = "process_types"
        case checksum, size, stack
        case buildpackProvidedDescription = "buildpack_provided_description"
        case buildpacks
        case configVars = "config_vars"
        case addons, warnings
    }

    /// Where the metadata sits inside the app folder of a slug.
    public static let pathInSlug = ".slugc/release.json"

    /// Stable, readable JSON: sorted keys, so the same build prints the same bytes.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }

    /// The copy stored in the slug: everything but the file's own checksum and size.
    public func embeddedCopy() -> Data {
        var copy = self
        copy.checksum = nil
        copy.size = nil
        return copy.jsonData()
    }

    public static func decode(_ data: Data) throws -> ReleaseMetadata {
        try JSONDecoder().decode(ReleaseMetadata.self, from: data)
    }

    // Absent optionals are written as null so every consumer sees every field.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(processTypes, forKey: .processTypes)
        try container.encode(checksum, forKey: .checksum)
        try container.encode(size, forKey: .size)
        try container.encode(stack, forKey: .stack)
        try container.encode(buildpackProvidedDescription, forKey: .buildpackProvidedDescription)
        try container.encode(buildpacks, forKey: .buildpacks)
        try container.encode(configVars, forKey: .configVars)
        try container.encode(addons, forKey: .addons)
        try container.encode(warnings, forKey: .warnings)
    }
}
