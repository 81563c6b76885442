import Foundation

/// The source or its options cannot be used: a usage error (exit 64). Each case says what to
/// give instead; URLs appear without their query, which in a signed URL is a credential.
public enum SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    case notADirectory(path: String)
    case sourceMissing(path: String)
    case appDirectoryOutsideSource(appDirectory: String)
    case appDirectoryMissing(appDirectory: String, source: String)
    case outputFolderMissing(output: String, folder: String)
    /// The output names a folder, or (through a symlink) a device, FIFO or socket: the rename
    /// that publishes the slug would replace it. `kind` is e.g. "a character device".
    case outputNotAFile(output: String, kind: String)
    /// The slug's folder cannot be written: read-only file system, or no permission.
    case outputNotWritable(output: String, folder: String, reason: String)
    case slugNotFound(path: String)
    // A commit of a git repository (`--git-ref`).
    case gitRefNeedsFolder(source: String, ref: String)
    case gitNotFound(searchPath: String)
    case notAGitRepository(path: String, ref: String)
    case gitRefNotFound(ref: String, repository: String, branches: [String])
    case folderNotInCommit(folder: String, ref: String, commit: String)
    case gitFailed(command: String, repository: String, outcome: String, errorTail: [String])
    // A tarball: a file, standard input or a download.
    case notAnArchive(source: String, reason: String)
    case unsafeArchiveEntry(source: String, entry: String)
    case extractionFailed(source: String, reason: String)
    case archiveTooLarge(source: String, limit: Int64)
    /// A file slugc reads itself (`.slugignore`) is a symlink out of the app.
    case appFileLeavesApp(file: String, target: String)
    case unsupportedURL(url: String)
    case curlNotFound(url: String, searchPath: String)
    case downloadStatus(url: String, status: Int)
    case downloadTimedOut(url: String, seconds: Int)
    case downloadUnreachable(url: String, reason: String)
    case downloadTooLarge(url: String, limit: Int64)
    case tooManyRedirects(url: String, limit: Int)

    public var description: String {
        switch self {
        case let .notADirectory(path):
            return "\(path): not a folder. Give the app's folder, e.g. slugc build ./myapp -o slug.tgz."
        case let .sourceMissing(path):
            return "\(path): no such folder or tarball. Give the app's folder, a tarball (.tar, .tar.gz, .tgz), - for a tarball on stdin, or an http(s) URL of one, e.g. slugc build ./myapp -o slug.tgz."
        case let .appDirectoryOutsideSource(appDirectory):
            return "--app-dir \(appDirectory): must be a folder inside the source (no \"..\", not absolute)."
        case let .appDirectoryMissing(appDirectory, source):
            return "--app-dir \(appDirectory): there is no such folder in \(source)."
        case let .outputFolderMissing(output, folder):
            return "\(output): the folder \(folder) does not exist. Create it, or write the slug elsewhere."
        case let .outputNotAFile(output, "a folder"):
            return "\(output) is a folder, not a file. Name the slug's file, e.g. \(output.hasSuffix("/") ? output : output + "/")slug.tgz."
        case let .outputNotAFile(output, kind):
            return "\(output) is \(kind), not a file, and the slug is written by renaming a new file into place. Name a regular file, or a new one (or use -o - to write the slug to standard output)."
        case let .outputNotWritable(output, folder, reason):
            return "\(output): cannot write the slug in \(folder): \(reason). Write it to a folder you can write to."
        case let .slugNotFound(path):
            return "\(path): no such slug. Build one with slugc build SOURCE -o \(path)."
        case let .gitRefNeedsFolder(source, ref):
            return "--git-ref \(ref) builds a commit of a folder's git repository, and \(source) is not a folder. Give the repository's folder, e.g. slugc build . --git-ref \(ref)."
        case let .gitNotFound(searchPath):
            return "--git-ref needs the git program, and there is none on PATH (\(searchPath)). Install git (apt-get install git), or build the folder as it is without --git-ref."
        case let .notAGitRepository(path, ref):
            return "\(path) is not in a git repository, so there is no \(ref) to build. Give the folder of a git checkout, or build the folder as it is without --git-ref."
        case let .gitRefNotFound(ref, repository, branches):
            let known = branches.isEmpty ? "It has no branches yet: commit first." : "Its branches: \(branches.joined(separator: ", "))."
            return "--git-ref \(ref): the repository \(repository) has no branch, tag or commit of that name. \(known) Give one of those, a tag or a commit hash."
        case let .folderNotInCommit(folder, ref, commit):
            return "\(folder) is not in \(ref) (commit \(commit.prefix(7))): that commit has no such folder. Build from a folder the commit has, or give a ref that has it."
        case let .gitFailed(command, repository, outcome, errorTail):
            let said = errorTail.isEmpty ? "" : " It said: " + errorTail.suffix(3).joined(separator: " ")
            return "git \(command) \(outcome) in \(repository).\(said) Check that git can read the repository there (git status)."
        case let .notAnArchive(source, reason):
            return "\(source) is not a tarball slugc can read (\(reason)). Give a .tar, .tar.gz, .tgz or .tar.zst archive of the app, or its folder."
        case let .unsafeArchiveEntry(source, entry):
            return "\(source): refusing the entry '\(entry)': it would be written outside the build folder, so nothing was built. Make the tarball from inside the app's folder, e.g. tar -czf app.tgz -C myapp ."
        case let .extractionFailed(source, reason):
            return "\(source) could not be unpacked: \(reason). Check the free space of the temporary folder (TMPDIR)."
        case let .archiveTooLarge(source, limit):
            return "\(source) expands to more than \(ByteCount.format(limit)) when unpacked, so slugc stopped unpacking it and built nothing. Leave build outputs, dependencies and data out of the source, or raise the limit with --max-unpacked-size (or SLUGC_MAX_UNPACKED_SIZE)."
        case let .appFileLeavesApp(file, target):
            return AppFile.leavesFolderMessage(file, target: target)
        case let .unsupportedURL(url):
            return "\(url): slugc downloads only http:// and https:// URLs of tarballs. Download it yourself and give the file, or clone a git repository and build it with --git-ref."
        case let .curlNotFound(url, searchPath):
            return "Downloading \(url) needs the curl program, and there is none on PATH (\(searchPath)). Install curl (apt-get install curl), or download the tarball yourself and give the file."
        case let .downloadStatus(url, status):
            let answer = "\(url): the server answered HTTP \(status)\(HTTPStatus.reason(status).map { " " + $0 } ?? "")"
            if status >= 500 { return answer + ": it failed, not the request. Try again later." }
            return answer + ", so there is no source to build. Check the URL (a signed URL may have expired) and that it names a tarball."
        case let .downloadTimedOut(url, seconds):
            return "\(url): the download did not finish within \(seconds) s and was stopped. Check that the server is reachable from here, then try again."
        case let .downloadUnreachable(url, reason):
            return "\(url): cannot download: \(reason). Check the host name, the network and any proxy (HTTPS_PROXY)."
        case let .downloadTooLarge(url, limit):
            return "\(url): the download is larger than \(ByteCount.format(limit)), the limit for a source tarball, and was stopped. Leave build outputs, dependencies and data out of the source."
        case let .tooManyRedirects(url, limit):
            return "\(url): more than \(limit) redirects, so the download was stopped. Give the URL the redirects end at."
        }
    }
}

extension SourceError {
    /// A slug to read must exist and be a file.
    static func checkSlugExists(_ slug: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: slug.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SourceError.slugNotFound(path: slug.path)
        }
    }
}

/// HTTP's reason phrases for the statuses a download or upload commonly gets.
enum HTTPStatus {
    static func reason(_ status: Int) -> String? {
        let phrases = [400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
                       408: "Request Timeout", 410: "Gone", 411: "Length Required", 413: "Content Too Large",
                       429: "Too Many Requests", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
                       503: "Service Unavailable", 504: "Gateway Timeout"]
        return phrases[status]
    }
}
