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

    func validate() throws {
        if let gitRef, gitRef.isEmpty { throw ValidationError("--git-ref needs a branch, tag or commit, e.g. --git-ref main.") }
        if source == "-", gitRef == nil, isatty(STDIN_FILENO) == 1 {
            throw ValidationError("-: stdin is a terminal; pipe a tarball in, e.g. slugc build - -o slug.tgz < app.tgz.")
        }
    }

    func location() throws -> SourceLocation {
        try SourceLocation(argument: source, gitRef: gitRef)
    }
}
