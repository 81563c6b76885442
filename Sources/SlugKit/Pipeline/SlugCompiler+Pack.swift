import Foundation

extension SlugCompiler {
    /// Heroku warned from this size; slugs this big deploy slowly.
    static let warningSize: Int64 = 300 * 1024 * 1024

    /// Packs BUILD_DIR with the release metadata inside, and fills in checksum and size. Files
    /// still holding BUILD_DIR's own path are found exactly, also as a tool that resolves
    /// symlinks writes it (macOS's temporary folder is under `/var`, a link to `/private/var`).
    /// `linkedFolders` are the symlinks into a cache that stand for folders (`CacheLinks`).
    func pack(_ request: BuildRequest, release: ReleaseMetadata, app: URL, linkedFolders: [String: String], to slug: URL,
              events: @escaping BuildEventHandler) throws -> ReleaseMetadata {
        let buildFolders = Set([app.path, app.resolvingSymlinksInPath().path]).sorted()
        var options = request.pack
        options.linkedFolders = linkedFolders
        // The build's --cache-dir keeps compressed blocks too, beside the buildpacks' caches.
        if options.cacheDirectory == nil { options.cacheDirectory = request.cacheDirectory }
        // The app folder is copied afresh for every build: no file index would ever match, and
        // one per build (each workspace has its own path) would only fill the cache.
        options.keepsFileIndex = false
        do {
            return try packDirectory(app, to: slug, options: options, release: release, excludes: nil,
                                     portability: PortabilityCheck(buildFolders: buildFolders), events: events)
        } catch PackError.cancelled {
            // A build stopped while packing is stopped like one in any other stage (exit 31).
            throw CompileError.cancelled
        }
    }

    /// Packs an already-built folder (`slugc pack`): no buildpacks, process types from its
    /// Procfile, `.git` and `.slugignore` left out, the folder itself untouched. The portability
    /// check is the one `inspect` makes of the slug, so the two report the same.
    public func pack(directory: URL, to output: URL, options: PackOptions, stack: String,
                     events: @escaping BuildEventHandler) throws -> ReleaseMetadata {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceError.notADirectory(path: directory.path)
        }
        let output = try SourceError.checkOutput(output)
        let release = try resolveProcessTypes(app: directory, defaults: ProcessTypes(), stack: stack, description: nil,
                                              buildpacks: [], configVars: [:], addons: [], events: events)
        let ignore = try loadSlugIgnore(in: directory)
        return try packDirectory(directory, to: output, options: options, release: release, excludes: ignore,
                                 portability: PortabilityCheck(), events: events)
    }

    /// Checking portability during the pack walk reads no file twice; the findings are warnings
    /// after the slug is written, so they are not in the metadata inside it (`inspect` finds
    /// them again) but are in the returned metadata's `warnings`.
    private func packDirectory(_ directory: URL, to outputFile: URL, options: PackOptions, release: ReleaseMetadata,
                               excludes ignore: SlugIgnore?, portability: PortabilityCheck,
                               events: @escaping BuildEventHandler) throws -> ReleaseMetadata {
        events(.step("Compressing..."))
        var options = options
        options.portability = portability
        options.extraFiles[ReleaseMetadata.pathInSlug] = release.embeddedCopy()
        // Writing the slug into the folder being packed must not pack the slug (or its temp file) into itself.
        let output = OutputExclusion(output: outputFile, folder: directory)
        // Nor a pack cache kept inside it: its entries change with every pack.
        let cache = options.cacheDirectory.map {
            OutputExclusion(output: $0.appendingPathComponent(PackCache.folderName), folder: directory)
        }
        let previous = options.excludes
        options.excludes = { path, isDirectory in
            if output.matches(path) || cache?.matches(path) == true { return true }
            if let ignore, ignore.matches(path, isDirectory: isDirectory).matched { return true }
            return previous(path, isDirectory)
        }
        let result = try SlugPacker.pack(directory: directory, to: outputFile, options: options) { progress in
            events(.packProgress(progress))
        }
        if options.cacheDirectory != nil {
            let unread = result.unreadBlocks > 0 ? ", \(result.unreadBlocks) of them without reading their files" : ""
            events(.detail("Done: \(ByteCount.format(result.size)) (\(result.reusedBlocks) of \(result.blocks) compressed blocks reused from the pack cache\(unread))"))
        } else {
            events(.detail("Done: \(ByteCount.format(result.size))"))
        }
        var packed = release
        for path in result.leftOutSpecialFiles {
            let warning = BuildWarning.specialFileLeftOut(path, of: "the slug")
            events(.warning(warning))
            packed.warnings.append(warning.description)
        }
        for finding in result.portability {
            events(.warning(finding.warning))
            packed.warnings.append(finding.warning.description)
        }
        if result.size >= Self.warningSize {
            let largest = result.largestFolders.prefix(5).map { "\($0.path) \(ByteCount.format($0.bytes))" }.joined(separator: ", ")
            let warning = BuildWarning(message: "the slug is \(ByteCount.format(result.size)); slugs over 300M deploy slowly. Largest folders: \(largest). List what is not needed at run time in .slugignore.")
            events(.warning(warning))
            packed.warnings.append(warning.description)
        }
        packed.checksum = result.checksum
        packed.size = result.size
        return packed
    }
}
