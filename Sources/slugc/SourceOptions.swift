import ArgumentParser
import Foundation
import SlugKit

/// The source of `build`, `detect` and `test`, read the same way by all three.
struct SourceOptions: ParsableArguments {
    @Argument(help: "The app: a folder, a tarball (.tar, .tar.gz, .tgz, .tar.zst), - for a tarball on stdin, or an http(s) URL of one.")
    var source: String = "."

    @Option(name: .customLong("git-ref"),
            help: ArgumentHelp("Build this commit of the folder's git repository (a branch, tag or hash): exactly its tree, as a push sends it.",
                               valueName: "REF"))
    var gitRef: String?

    @Option(name: .customLong("max-unpacked-size"),
            help: ArgumentHelp("Refuse a source tarball or buildpack archive that expands past this (default 4G, or SLUGC_MAX_UNPACKED_SIZE).",
                               valueName: "SIZE"))
    var maxUnpackedSize: String?

    func validate() throws {
        _ = try unpackedSizeLimit()
        if let gitRef, gitRef.isEmpty { throw ValidationError("--git-ref needs a branch, tag or commit, e.g. --git-ref main.") }
        if source == "-", gitRef == nil, isatty(STDIN_FILENO) == 1 {
            throw ValidationError("-: stdin is a terminal; pipe a tarball in, e.g. slugc build - -o slug.tgz < app.tgz.")
        }
    }

    /// The flag, else `SLUGC_MAX_UNPACKED_SIZE`, else the library's default.
    func unpackedSizeLimit() throws -> Int64 {
        if let maxUnpackedSize {
            guard let bytes = ByteCount.parse(maxUnpackedSize) else {
                throw ValidationError("--max-unpacked-size \(maxUnpackedSize): not a size; write e.g. 4G or 500M.")
            }
            return bytes
        }
        if let fromEnvironment = ProcessInfo.processInfo.environment["SLUGC_MAX_UNPACKED_SIZE"], !fromEnvironment.isEmpty {
            guard let bytes = ByteCount.parse(fromEnvironment) else {
                throw ValidationError("SLUGC_MAX_UNPACKED_SIZE=\(fromEnvironment): not a size; write e.g. 4G or 500M.")
            }
            return bytes
        }
        return ArchiveLimits.defaultExpansion
    }

    func location() throws -> SourceLocation {
        try SourceLocation(argument: source, gitRef: gitRef)
    }
}
