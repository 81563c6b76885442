import Foundation

/// One file of the app that slugc itself reads (`Procfile`, `.slugignore`,
/// `.slugc/release.json`), read without following a symlink out of the app.
///
/// An app is someone else's tree: `Procfile -> /etc/passwd` must not turn the build machine's
/// files into process types, and a slug's `release.json` must not read the host's.
enum AppFile: Equatable {
    case missing
    /// A folder, a FIFO, a device: something that is not a file.
    case notAFile
    /// A symlink that resolves outside `folder` (or cannot be resolved), with its target as stored.
    case leavesFolder(target: String)
    case contents(Data)
    /// The file exists but reading it failed.
    case unreadable(reason: String)

    /// Reads `name` (relative, "/"-separated) in `folder`. A symlink is followed only when what it
    /// finally names is inside `folder`, judged by real paths, so links through links count too.
    static func read(_ name: String, in folder: URL) -> AppFile {
        let path = folder.appendingPathComponent(name).path
        switch EntryKind.of(path) {
        case .missing: return .missing
        case .directory, .other: return .notAFile
        case .symlink:
            let target = (try? FileSystem.symlinkTarget(of: path)) ?? "?"
            guard let resolved = realPath(path) else {
                // A link that leads nowhere is a missing file, unless its text already leads out.
                let leaves = target.hasPrefix("/") || !ArchivePath.symlinkStaysInside(at: name, target: target)
                return leaves ? .leavesFolder(target: target) : .missing
            }
            guard let root = realPath(folder.path), resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
                return .leavesFolder(target: target)
            }
            guard EntryKind.of(resolved) == .file else { return .notAFile }
            return readContents(resolved)
        case .file:
            // A folder on the way may be a link too (`.slugc -> /etc`).
            guard let resolved = realPath(path), let root = realPath(folder.path),
                  resolved.hasPrefix(root == "/" ? "/" : root + "/") else {
                return .leavesFolder(target: realPath(path) ?? path)
            }
            return readContents(resolved)
        }
    }

    /// Reads a resolved path; `O_NOFOLLOW` keeps a link swapped in since from being followed.
    private static func readContents(_ path: String) -> AppFile {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return .unreadable(reason: FileSystem.describe(errno)) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        do {
            return .contents(try handle.readToEnd() ?? Data())
        } catch {
            return .unreadable(reason: error.localizedDescription)
        }
    }

    /// The sentence every refusal uses: what the link is, and what to do instead.
    static func leavesFolderMessage(_ file: String, target: String, folder: String = "the app") -> String {
        "\(file) is a symlink to \(target), which leads outside \(folder), so slugc did not read it. Put the file itself in the app instead of a link (e.g. cp --remove-destination \"$(readlink -f \(file))\" \(file)), and commit it."
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
