import Foundation

/// The source on disk, ready for the copy stage.
struct PreparedSource: Sendable {
    /// The user's own folder, or the tree unpacked or checked out in the workspace.
    var root: URL
    /// `root` plus `--app-dir`: what is copied into BUILD_DIR.
    var app: URL
    /// SOURCE_VERSION: the commit being built, when there is one.
    var version: String?
    /// A git-ref build: where hints look for files the commit lacks.
    var git: GitSourceContext?
    /// What was skipped while unpacking; they join the release's warnings.
    var warnings: [BuildWarning] = []
    /// A folder of the user's: hints and warnings may ask git about it.
    var isUserFolder = false
}

extension SlugCompiler {
    /// What can be checked before any work: the folder or file exists, `--app-dir` stays
    /// inside, the slug's folder exists, the upload URL can be used.
    func checkRequest(_ request: BuildRequest) throws {
        switch request.source {
        case let .folder(url), let .gitRef(_, url):
            guard EntryKind.following(url.path) == .directory else {
                if EntryKind.following(url.path) == .missing { throw SourceError.sourceMissing(path: url.path) }
                if case let .gitRef(ref, _) = request.source { throw SourceError.gitRefNeedsFolder(source: url.path, ref: ref) }
                throw SourceError.notADirectory(path: url.path)
            }
        case let .archive(url):
            guard EntryKind.following(url.path) != .missing else { throw SourceError.sourceMissing(path: url.path) }
        case let .download(url):
            guard ["http", "https"].contains(url.scheme?.lowercased() ?? "") else {
                throw SourceError.unsupportedURL(url: SourceLocation.redacted(url.absoluteString))
            }
        case .archiveStream:
            break
        }
        if let sub = request.appDirectory, sub.hasPrefix("/") || sub.split(separator: "/").contains("..") {
            throw SourceError.appDirectoryOutsideSource(appDirectory: sub)
        }
        if let output = request.output { try SourceError.checkOutput(output) }
        try request.upload?.check()
    }

    /// Puts the source on disk: the user's folder as it is, or a commit checked out, or a
    /// tarball unpacked (downloaded first) into the workspace's `source/`.
    func prepareSource(_ request: BuildRequest, workspace: BuildWorkspace, events: BuildEventHandler) async throws -> PreparedSource {
        let unpacked = workspace.root.appendingPathComponent("source", isDirectory: true)
        var prepared: PreparedSource
        switch request.source {
        case let .folder(url):
            let root = url.standardizedFileURL
            prepared = PreparedSource(root: root, app: root, version: sourceVersion(of: root), isUserFolder: true)
        case let .gitRef(ref, url):
            let repository = try GitRepository(folder: url.standardizedFileURL, baseEnvironment: request.baseEnvironment)
            let (top, prefix) = try await repository.location(building: ref)
            guard let commit = try await repository.commit(ref) else {
                throw SourceError.gitRefNotFound(ref: ref, repository: top.path, branches: await repository.branches().map(\.name))
            }
            events(.detail("Building \(ref) (commit \(commit.prefix(7))): the committed tree, without uncommitted or untracked files"))
            try await repository.checkout(commit, top: top, prefix: prefix, ref: ref, into: unpacked, scratch: workspace.scratch)
            let sub = (request.appDirectory ?? "").trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            let appPath = sub.isEmpty || sub == "." ? "" : sub + "/"
            let context = GitSourceContext(repository: repository, ref: ref, commit: commit, appPath: appPath)
            prepared = PreparedSource(root: unpacked, app: unpacked, version: commit, git: context)
        case let .archive(url):
            prepared = try unpack({ () throws(PackError) in try TarReader(path: url.path) }, name: url.path, into: unpacked,
                              limit: request.maxUnpackedSize, events: events)
        case let .archiveStream(descriptor):
            let name = request.source.displayName
            prepared = try unpack({ () throws(PackError) in try TarReader(fileDescriptor: descriptor, name: name) }, name: name,
                                  into: unpacked, limit: request.maxUnpackedSize, events: events)
        case let .download(url):
            let name = request.source.displayName
            events(.detail("Downloading \(name)"))
            let file = workspace.scratch.appendingPathComponent("source-download")
            let size = try await SourceDownload(url: url, options: request.download, baseEnvironment: request.baseEnvironment).fetch(to: file)
            events(.detail("Downloaded \(ByteCount.format(size))"))
            prepared = try unpack({ () throws(PackError) in try TarReader(path: file.path) }, name: name, into: unpacked,
                              limit: request.maxUnpackedSize, events: events)
            try? FileManager.default.removeItem(at: file)
        }
        prepared.app = try resolveAppDirectory(request.appDirectory, in: prepared.root, sourceName: request.source.displayName)
        return prepared
    }

    /// Unpacks a source tarball securely; a single top-level folder is the app, as Heroku's Build API has it.
    private func unpack(_ open: () throws(PackError) -> TarReader, name: String, into folder: URL, limit: Int64,
                        events: BuildEventHandler) throws -> PreparedSource {
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw SourceError.extractionFailed(source: name, reason: error.localizedDescription)
        }
        var warnings: [BuildWarning] = []
        do {
            try SlugReader.extractSource(open, into: folder, limit: limit) { entry in
                let warning = BuildWarning(message: "skipped '\(entry)' of the source tarball: devices, FIFOs and sockets are never unpacked.")
                events(.warning(warning))
                warnings.append(warning)
            }
        } catch let error {
            switch error {
            case let .unsafeEntry(_, entry): throw SourceError.unsafeArchiveEntry(source: name, entry: entry)
            case let .notASlug(_, reason): throw SourceError.notAnArchive(source: name, reason: reason)
            case let .io(path, reason): throw SourceError.extractionFailed(source: name, reason: "\(path): \(reason)")
            case .tooLarge: throw SourceError.extractionFailed(source: name, reason: error.description)
            case let .archiveTooLarge(_, limit): throw SourceError.archiveTooLarge(source: name, limit: limit)
            case .cancelled: throw CompileError.cancelled
            }
        }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        guard !entries.isEmpty else { throw SourceError.notAnArchive(source: name, reason: "it holds no files") }
        var root = folder
        if entries.count == 1, let only = entries.first, EntryKind.of(folder.appendingPathComponent(only).path) == .directory {
            root = folder.appendingPathComponent(only, isDirectory: true)
            events(.detail("Building the tarball's only top-level folder, \(only)/, as Heroku's Build API does"))
        }
        return PreparedSource(root: root, app: root, warnings: warnings)
    }

    /// `root` plus `--app-dir`, which must be a folder inside it (also after following symlinks).
    func resolveAppDirectory(_ sub: String?, in root: URL, sourceName: String) throws -> URL {
        guard let sub, !sub.isEmpty, sub != "." else { return root }
        if sub.hasPrefix("/") || sub.split(separator: "/").contains("..") {
            throw SourceError.appDirectoryOutsideSource(appDirectory: sub)
        }
        let app = root.appendingPathComponent(sub).standardizedFileURL
        // A symlinked subfolder could still point outside; compare real paths.
        let realRoot = root.resolvingSymlinksInPath().path
        guard app.resolvingSymlinksInPath().path.hasPrefix(realRoot + "/") else {
            if FileManager.default.fileExists(atPath: app.path) { throw SourceError.appDirectoryOutsideSource(appDirectory: sub) }
            throw SourceError.appDirectoryMissing(appDirectory: sub, source: sourceName)
        }
        guard EntryKind.following(app.path) == .directory else {
            throw SourceError.appDirectoryMissing(appDirectory: sub, source: sourceName)
        }
        return app
    }
}
