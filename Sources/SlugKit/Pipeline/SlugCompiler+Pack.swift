import Foundation

extension SlugCompiler {
    /// Heroku warned from this size; slugs this big deploy slowly.
    static let warningSize: Int64 = 300 * 1024 * 1024

    /// Packs BUILD_DIR with the release metadata inside, and fills in checksum and size.
    func pack(_ request: BuildRequest, release: ReleaseMetadata, app: URL, events: @escaping BuildEventHandler) throws -> ReleaseMetadata {
        try packDirectory(app, to: request.output, options: request.pack, release: release, excludes: nil, events: events)
    }

    /// Packs an already-built folder (`slugc pack`): no buildpacks, process types from its
    /// Procfile, `.git` and `.slugignore` left out, the folder itself untouched.
    public func pack(directory: URL, to output: URL, options: PackOptions, stack: String,
                     events: @escaping BuildEventHandler) throws -> ReleaseMetadata {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw SourceError.notADirectory(path: directory.path)
        }
        try SourceError.checkOutputFolder(of: output)
        let release = try resolveProcessTypes(app: directory, defaults: ProcessTypes(), stack: stack, description: nil,
                                              buildpacks: [], configVars: [:], addons: [], events: events)
        let ignore = try loadSlugIgnore(in: directory)
        return try packDirectory(directory, to: output, options: options, release: release, excludes: ignore, events: events)
    }

    private func packDirectory(_ directory: URL, to outputFile: URL, options: PackOptions, release: ReleaseMetadata,
                               excludes ignore: SlugIgnore?, events: @escaping BuildEventHandler) throws -> ReleaseMetadata {
        events(.step("Compressing..."))
        var options = options
        options.extraFiles[ReleaseMetadata.pathInSlug] = release.embeddedCopy()
        // Writing the slug into the folder being packed must not pack the slug (or its temp file) into itself.
        let output = OutputExclusion(output: outputFile, folder: directory)
        let previous = options.excludes
        options.excludes = { path, isDirectory in
            if output.matches(path) { return true }
            if let ignore, ignore.matches(path, isDirectory: isDirectory).matched { return true }
            return previous(path, isDirectory)
        }
        let result = try SlugPacker.pack(directory: directory, to: outputFile, options: options) { progress in
            events(.packProgress(progress))
        }
        events(.detail("Done: \(ByteCount.format(result.size))"))
        var packed = release
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
