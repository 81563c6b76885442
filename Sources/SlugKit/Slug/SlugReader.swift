import Foundation

/// Reads slugs: extracts them, and finds single files inside them.
public enum SlugReader {
    /// Extracts `slug` into `directory` (which must exist). Entries outside `./app/` are ignored,
    /// as Heroku does; entries that would escape the directory are refused.
    public static func extract(_ slug: URL, into directory: URL) throws(PackError) {
        throw PackError.notImplemented
    }

    /// The contents of one file inside the slug, by its path under `./app/` ("Procfile"), or nil.
    public static func readFile(_ path: String, from slug: URL) throws(PackError) -> Data? {
        throw PackError.notImplemented
    }

    /// The total uncompressed size and the largest folders under `./app/`, for `inspect`.
    public static func folderSizes(_ slug: URL, depth: Int = 2) throws(PackError) -> (total: Int64, folders: [FolderSize]) {
        throw PackError.notImplemented
    }
}
