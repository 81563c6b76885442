import Crypto
import Foundation

/// What `slugc inspect` reports: the release metadata the slug carries, with the file's own
/// checksum and size, where its bytes are, and what in it would not travel to a dyno.
public struct SlugInspection: Sendable {
    public var release: ReleaseMetadata
    public var uncompressedSize: Int64
    public var largestFolders: [FolderSize]
    /// Symlinks, ELF paths, `#!` lines and build paths that point outside the slug (`PortabilityCheck`).
    public var portability: [PortabilityFinding]

    /// Reads everything from the slug alone.
    public static func inspect(_ slug: URL) throws -> SlugInspection {
        try SourceError.checkSlugExists(slug)
        let attributes: [FileAttributeKey: Any]
        do { attributes = try FileManager.default.attributesOfItem(atPath: slug.path) } catch {
            throw PackError.io(path: slug.path, reason: "no such slug file")
        }
        let survey = try SlugReader.survey(slug, reading: ReleaseMetadata.pathInSlug, portability: PortabilityCheck())
        guard let data = survey.file else {
            throw RunError.missingRelease(slug: slug.path)
        }
        var release: ReleaseMetadata
        do { release = try ReleaseMetadata.decode(data) } catch {
            throw PackError.notASlug(path: slug.path, reason: "\(ReleaseMetadata.pathInSlug) is not valid release metadata")
        }
        release.size = (attributes[.size] as? NSNumber)?.int64Value
        release.checksum = try checksum(of: slug)
        return SlugInspection(release: release, uncompressedSize: survey.uncompressedSize, largestFolders: survey.largestFolders,
                              portability: survey.portability)
    }

    /// `inspect --json`: the release metadata's fields as `build --json` prints them, plus
    /// `portability`, a list of `{path, kind, target, message}`.
    public func jsonData() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(Document(release: release, portability: portability))) ?? release.jsonData()
    }

    /// One JSON object: the release's own keys, then `portability` beside them.
    private struct Document: Encodable {
        let release: ReleaseMetadata
        let portability: [PortabilityFinding]

        private enum CodingKeys: String, CodingKey { case portability }

        func encode(to encoder: Encoder) throws {
            try release.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(portability, forKey: .portability)
        }
    }

    /// `SHA256:<hex>` of a file, read in chunks.
    public static func checksum(of file: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw PackError.io(path: file.path, reason: "cannot be read")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return "SHA256:" + hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
