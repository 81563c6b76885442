import Foundation

/// The slug being written, when it lies inside the folder being copied or packed
/// (`slugc build . -o slug.tgz`): it and its temporary file must never end up in a slug.
struct OutputExclusion: Sendable {
    /// The slug's path relative to the folder, or nil when it is outside.
    private let relativePath: String?

    init(output: URL, folder: URL) {
        let base = folder.standardizedFileURL.resolvingSymlinksInPath().path
        let target = output.standardizedFileURL.deletingLastPathComponent().resolvingSymlinksInPath().path
            + "/" + output.lastPathComponent
        relativePath = target.hasPrefix(base + "/") ? String(target.dropFirst(base.count + 1)) : nil
    }

    /// True for the slug itself and for the packer's `.<name>.<random>.tmp` beside it.
    func matches(_ path: String) -> Bool {
        guard let relativePath else { return false }
        if path == relativePath { return true }
        let slash = relativePath.lastIndex(of: "/")
        let folder = slash.map { String(relativePath[...$0]) } ?? ""
        let name = slash.map { String(relativePath[relativePath.index(after: $0)...]) } ?? relativePath
        return path.hasPrefix(folder + "." + name + ".") && path.hasSuffix(".tmp")
    }
}
