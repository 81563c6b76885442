import Foundation

/// Where a build's source comes from: what a push, a deploy server or a CI job hands over.
public enum SourceLocation: Sendable, Equatable {
    /// A folder, copied as it is (less `.git` and what `.slugignore` names).
    case folder(URL)
    /// One commit of the repository the folder is in: exactly its tree, as `git push` sends it.
    /// `ref` is anything git resolves to a commit (`main`, `origin/rest`, `v1.2`, a hash).
    case gitRef(String, repository: URL)
    /// A tar archive file (`.tar`, `.tar.gz`, `.tgz`, `.tar.zst`…).
    case archive(URL)
    /// A tar archive read from an open file descriptor; `slugc build -` passes standard input.
    case archiveStream(fileDescriptor: Int32)
    /// An http(s) URL of a tar archive, as Heroku's Build API takes a `source_blob` URL.
    case download(URL)

    /// How `slugc build SOURCE [--git-ref REF]` reads its argument: `-` is standard input, an
    /// http(s) URL is downloaded, an existing file is a tarball, anything else a folder.
    public init(argument: String, gitRef: String?) throws(SourceError) {
        if let gitRef {
            if argument == "-" || argument.contains("://") || Self.isArchiveFile(argument) {
                throw SourceError.gitRefNeedsFolder(source: argument, ref: gitRef)
            }
            self = .gitRef(gitRef, repository: URL(fileURLWithPath: argument, isDirectory: true))
            return
        }
        if argument == "-" {
            self = .archiveStream(fileDescriptor: STDIN_FILENO)
        } else if let scheme = argument.range(of: "://").map({ argument[..<$0.lowerBound].lowercased() }) {
            guard scheme == "http" || scheme == "https", let url = URL(string: argument), url.host != nil else {
                throw SourceError.unsupportedURL(url: SourceLocation.redacted(argument))
            }
            self = .download(url)
        } else if Self.isArchiveFile(argument) {
            self = .archive(URL(fileURLWithPath: argument))
        } else {
            self = .folder(URL(fileURLWithPath: argument, isDirectory: true))
        }
    }

    /// Anything that exists and is not a folder is read as an archive: a file, or a pipe
    /// (`slugc build <(curl …)`).
    private static func isArchiveFile(_ path: String) -> Bool {
        let kind = EntryKind.following(path)
        return kind == .file || kind == .other
    }

    /// The source as messages name it: a path, `standard input`, or a URL without its query
    /// (a signed URL's query is a credential, and build logs are kept).
    public var displayName: String {
        switch self {
        case let .folder(url), let .archive(url): return url.path
        case let .gitRef(ref, repository): return "\(repository.path) at \(ref)"
        case let .archiveStream(descriptor): return descriptor == STDIN_FILENO ? "standard input" : "file descriptor \(descriptor)"
        case let .download(url): return Self.redacted(url.absoluteString)
        }
    }

    /// `https://host/path` of a URL, with `?query` and `#fragment` replaced by `?…`, and any
    /// user and password left out.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else {
            return String(url.prefix { $0 != "?" && $0 != "#" })
        }
        let hadQuery = components.query != nil || components.fragment != nil
        components.query = nil
        components.fragment = nil
        components.user = nil
        components.password = nil
        return (components.string ?? String(url.prefix { $0 != "?" })) + (hadQuery ? "?…" : "")
    }
}
