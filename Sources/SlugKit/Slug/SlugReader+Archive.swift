import Foundation

// Stub added by the detect helper so buildpack archives compile; the slug helper's
// implementation replaces this file.
extension SlugReader {
    /// Extracts a gzip-compressed tar into `directory` (which must exist).
    public static func extractArchive(_ archive: URL, into directory: URL, stripAppPrefix: Bool) throws(PackError) {
        throw PackError.notImplemented
    }
}
