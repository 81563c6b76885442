import Foundation

extension SlugCompiler {
    /// Copies the app into BUILD_DIR, leaving out `.git` folders, what the app's top-level
    /// `.slugignore` names (Heroku applies it before compile), the slug being written, and the
    /// build cache when it was put inside the app (`--cache-dir .cache`): buildpack caches and
    /// the pack cache change with every build and must not be built into the next one.
    ///
    /// Returns the warnings on the way, each also sent as an event: `.slugignore` lines that were
    /// skipped, and FIFOs, sockets and devices, which are never copied.
    @discardableResult
    func copySource(_ appSource: URL, into buildDirectory: URL, output: URL?, cacheDirectory: URL? = nil, events: BuildEventHandler) throws -> [BuildWarning] {
        var warnings: [BuildWarning] = []
        func warn(_ warning: BuildWarning) {
            events(.warning(warning))
            warnings.append(warning)
        }
        let ignore = try loadSlugIgnore(in: appSource)
        if let ignore, !ignore.isEmpty {
            events(.detail("Leaving out what .slugignore names (\(ignore.patternCount) pattern\(ignore.patternCount == 1 ? "" : "s"))"))
        }
        for skipped in ignore?.skippedLines ?? [] {
            warn(BuildWarning(file: ".slugignore", line: skipped.line, message: skipped.message))
        }
        let slug = output.map { OutputExclusion(output: $0, folder: appSource) }
        let cache = cacheDirectory.map { OutputExclusion(output: $0, folder: appSource) }
        try TreeCopier.copy(from: appSource, to: buildDirectory, skipping: { path in
            warn(.specialFileLeftOut(path, of: "the build"))
        }, excluding: { relativePath, isDirectory in
            if relativePath == ".git" || relativePath.hasSuffix("/.git") { return true }
            if slug?.matches(relativePath) == true || cache?.matches(relativePath) == true { return true }
            return ignore?.matches(relativePath, isDirectory: isDirectory).matched ?? false
        })
        return warnings
    }

    /// The app's `.slugignore`, if it has one; a symlink out of the app is refused.
    func loadSlugIgnore(in directory: URL) throws -> SlugIgnore? {
        switch AppFile.read(".slugignore", in: directory) {
        case .missing:
            return nil
        case let .contents(data):
            return SlugIgnore(text: String(decoding: data, as: UTF8.self))
        case let .leavesFolder(target):
            throw SourceError.appFileLeavesApp(file: ".slugignore", target: target)
        case .notAFile:
            throw CompileError.io(path: directory.appendingPathComponent(".slugignore").path, reason: "not a regular file; .slugignore must be a readable text file")
        case .unreadable:
            throw CompileError.io(path: directory.appendingPathComponent(".slugignore").path, reason: "cannot be read; .slugignore must be a readable text file")
        }
    }
}
