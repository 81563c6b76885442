import Foundation

extension SlugCompiler {
    /// Copies the app into BUILD_DIR, leaving out `.git` folders, what the app's top-level
    /// `.slugignore` names (Heroku applies it before compile), and the slug being written.
    func copySource(_ appSource: URL, into buildDirectory: URL, output: URL?, events: BuildEventHandler) throws {
        let ignore = try loadSlugIgnore(in: appSource)
        if let ignore, !ignore.isEmpty {
            events(.detail("Leaving out what .slugignore names (\(ignore.patternCount) pattern\(ignore.patternCount == 1 ? "" : "s"))"))
        }
        let slug = output.map { OutputExclusion(output: $0, folder: appSource) }
        try TreeCopier.copy(from: appSource, to: buildDirectory) { relativePath, isDirectory in
            if relativePath == ".git" || relativePath.hasSuffix("/.git") { return true }
            if slug?.matches(relativePath) == true { return true }
            return ignore?.matches(relativePath, isDirectory: isDirectory).matched ?? false
        }
    }

    /// The app's `.slugignore`, if it has one.
    func loadSlugIgnore(in directory: URL) throws -> SlugIgnore? {
        let file = directory.appendingPathComponent(".slugignore")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw CompileError.io(path: file.path, reason: "cannot be read; .slugignore must be a readable text file")
        }
        return SlugIgnore(text: String(decoding: data, as: UTF8.self))
    }
}
