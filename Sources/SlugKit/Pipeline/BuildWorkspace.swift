import Foundation

/// The build's own temporary folder: `app/` is BUILD_DIR, the rest is scratch space.
struct BuildWorkspace: Sendable {
    let root: URL
    /// SOURCE_VERSION for the buildpacks: the commit being built, once the source is known.
    var sourceVersion: String?
    var app: URL { root.appendingPathComponent("app", isDirectory: true) }
    var envDirectory: URL { root.appendingPathComponent("env", isDirectory: true) }
    var scratch: URL { root.appendingPathComponent("scratch", isDirectory: true) }
    var temporary: URL { root.appendingPathComponent("tmp", isDirectory: true) }

    init(in parent: URL) throws {
        var template = Array(parent.appendingPathComponent("slugc-build-XXXXXX").path.utf8CString)
        guard let made = mkdtemp(&template) else {
            throw CompileError.io(path: parent.path, reason: "cannot create a temporary folder: \(IOFailure.reason(errno, path: parent.path, place: .temporary))")
        }
        root = URL(fileURLWithPath: String(cString: made), isDirectory: true)
        for folder in [envDirectory, scratch, temporary] {
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
    }

    func remove() {
        removeTree(root)
    }
}

/// Removes a folder even when a build left read-only folders in it (Go's module cache,
/// `chmod -w` in a buildpack), so no temporary folder outlives its build.
func removeTree(_ url: URL) {
    if TreeRemover.remove(url.path) { return }
    // Something resisted the fast pass (a folder whose mode it could not change): try FileManager's way.
    let fileManager = FileManager.default
    if let walker = fileManager.enumerator(atPath: url.path) {
        _ = chmod(url.path, 0o700)
        while let relative = walker.nextObject() as? String {
            let path = url.appendingPathComponent(relative).path
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { _ = chmod(path, 0o700) }
        }
    }
    try? fileManager.removeItem(at: url)
}
