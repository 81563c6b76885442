import Foundation

extension SlugCompiler {
    /// Copies the finished slug to an open descriptor (`-o -`: standard output). Only a complete
    /// slug is ever written there: a build that fails earlier writes nothing.
    func writeSlug(_ slug: URL, to descriptor: Int32, events: BuildEventHandler) throws {
        let name = descriptor == STDOUT_FILENO ? "standard output" : "file descriptor \(descriptor)"
        events(.detail("Writing the slug to \(name)"))
        let input = open(slug.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw PackError.io(path: slug.path, reason: FileSystem.describe(errno)) }
        defer { close(input) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            // Stopped halfway, stdout holds a truncated slug; the reader sees it end early.
            if Task.isCancelled { throw CompileError.cancelled }
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw PackError.io(path: slug.path, reason: FileSystem.describe(errno)) }
            if count == 0 { return }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress.map { $0 + offset }, count - offset) }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else { throw PackError.io(path: name, reason: FileSystem.describe(errno)) }
                offset += written
            }
        }
    }

    /// PUTs the slug to the signed URL and says what arrived: the size and checksum the server
    /// can be checked against.
    func upload(_ slug: URL, with upload: SlugUpload, release: ReleaseMetadata, workspace: BuildWorkspace,
                request: BuildRequest, events: BuildEventHandler) async throws {
        events(.step("Uploading the slug to \(upload.displayName)"))
        let status = try await upload.put(slug, scratch: workspace.scratch, baseEnvironment: request.baseEnvironment, events: events)
        let size = release.size ?? 0
        events(.detail("Uploaded \(size) bytes (\(ByteCount.format(size))), checksum \(release.checksum ?? "-"): HTTP \(status)"))
    }
}
