import Foundation

/// How to pack a directory into a slug.
public struct PackOptions: Sendable {
    /// Compression level 1…9.
    public var level: Int = 6
    /// One gzip member (zlib, pigz-style) instead of one member per ~1 MiB block.
    public var singleMember: Bool = false
    /// mtime of every entry; nil means the fixed epoch (reproducible output).
    public var sourceDateEpoch: Int64? = nil
    /// Compression threads; nil means one per core.
    public var threads: Int? = nil
    /// Refuse (and delete) a slug larger than this many bytes; nil means no limit.
    public var maxSize: Int64? = 500 * 1024 * 1024
    /// Files added under `./app/` without touching the directory (e.g. `.slugc/release.json`).
    public var extraFiles: [String: Data] = [:]
    /// Paths (relative to the directory, "/"-separated) left out; `.git` folders are always left out.
    public var excludes: @Sendable (_ relativePath: String, _ isDirectory: Bool) -> Bool = { _, _ in false }

    public init() {}
}

/// What packing produced.
public struct PackResult: Sendable, Equatable {
    /// Bytes of the slug file.
    public var size: Int64
    /// `SHA256:<hex>` of the slug file, as Heroku's Platform API spells it.
    public var checksum: String
    /// Bytes of the uncompressed tar stream.
    public var uncompressedSize: Int64
    /// The largest top-level folders under the app, largest first (uncompressed bytes).
    public var largestFolders: [FolderSize]

    public init(size: Int64, checksum: String, uncompressedSize: Int64, largestFolders: [FolderSize]) {
        self.size = size
        self.checksum = checksum
        self.uncompressedSize = uncompressedSize
        self.largestFolders = largestFolders
    }
}

/// A folder and the bytes of everything under it.
public struct FolderSize: Sendable, Equatable, Codable {
    public var path: String
    public var bytes: Int64
    public init(path: String, bytes: Int64) {
        self.path = path
        self.bytes = bytes
    }
}

/// Packs a directory into a slug: a gzip tarball with every entry under `./app/`.
public enum SlugPacker {
    /// Writes the slug to a temporary file beside `output` and renames it into place only when
    /// complete; on any error nothing is left behind.
    public static func pack(
        directory: URL, to output: URL, options: PackOptions,
        progress: (@Sendable (PackProgress) -> Void)? = nil
    ) throws(PackError) -> PackResult {
        throw PackError.notImplemented
    }
}
