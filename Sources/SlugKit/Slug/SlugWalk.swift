import Foundation

/// Walks the app directory depth-first in sorted order and writes each entry under `./app/`,
/// merging in the extra files and leaving out `.git` and whatever `excludes` names.
struct SlugWalk {
    let root: String
    let tar: TarWriter
    let mtime: Int64
    let excludes: (String, Bool) -> Bool
    let extras: ExtraFiles
    /// First archived path of each file with several hard links.
    private var linked: [FileIdentity: String] = [:]
    private(set) var tally = FolderTally()

    init(root: String, tar: TarWriter, mtime: Int64, options: PackOptions) {
        self.root = root
        self.tar = tar
        self.mtime = mtime
        excludes = options.excludes
        extras = ExtraFiles(options.extraFiles)
    }

    mutating func run() throws(PackError) {
        var info = stat()
        // The root itself may be a symlink to the app (it is what the user named); nothing below it is followed.
        guard stat(root, &info) == 0 else { throw PackError.io(path: root, reason: FileSystem.describe(errno)) }
        guard FileSystem.isDirectory(info) else { throw PackError.io(path: root, reason: "not a directory; pass the folder to pack") }
        try tar.addDirectory("./app/", mode: info.st_mode, mtime: mtime)
        try walk("", real: true)
    }

    private mutating func walk(_ folder: String, real: Bool) throws(PackError) {
        let folderPath = folder.isEmpty ? root : root + "/" + folder
        let realNames = real ? try FileSystem.sortedNames(in: folderPath) : []
        var names = realNames
        let extraChildren = extras.children(of: folder)
        if !extraChildren.isEmpty {
            names = Array(Set(names).union(extraChildren.keys)).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        let onDisk = extraChildren.isEmpty ? [] : Set(realNames)
        for name in names {
            let relative = folder.isEmpty ? name : folder + "/" + name
            let archived = "./app/" + relative
            if let data = extras.files[relative] {
                try tar.addFile(archived, contents: data, mode: 0o644, mtime: mtime)
                tally.add(relative, bytes: Int64(data.count))
                continue
            }
            let needsFolder = extraChildren[name] == .folder
            var info: stat?
            if real && name != ".git" && (extraChildren.isEmpty || onDisk.contains(name)) {
                let status = try FileSystem.status(of: root + "/" + relative)
                if !excludes(relative, FileSystem.isDirectory(status)) { info = status }
            }
            guard let info, !needsFolder || FileSystem.isDirectory(info) else {
                if needsFolder {
                    try tar.addDirectory(archived + "/", mode: 0o755, mtime: mtime)
                    try walk(relative, real: false)
                }
                continue
            }
            try add(relative, info)
        }
    }

    private mutating func add(_ relative: String, _ info: stat) throws(PackError) {
        let archived = "./app/" + relative
        let path = root + "/" + relative
        if FileSystem.isDirectory(info) {
            try tar.addDirectory(archived + "/", mode: info.st_mode, mtime: mtime)
            try walk(relative, real: true)
        } else if FileSystem.isSymlink(info) {
            try tar.addSymlink(archived, target: FileSystem.symlinkTarget(of: path), mtime: mtime)
        } else if FileSystem.isRegular(info) {
            if info.st_nlink > 1 {
                let identity = FileIdentity(info)
                if let first = linked[identity] {
                    try tar.addHardLink(archived, to: first, mode: info.st_mode, mtime: mtime)
                    return
                }
                linked[identity] = archived
            }
            try tar.addFile(archived, from: path, size: Int64(info.st_size), mode: info.st_mode, mtime: mtime)
            tally.add(relative, bytes: Int64(info.st_size))
        }
        // Sockets, FIFOs and devices cannot run from a slug; they are left out like `git` would.
    }
}

/// The extra files added to the slug, and the folders they need.
struct ExtraFiles {
    enum Kind { case file, folder }
    /// Path under the app → contents.
    let files: [String: Data]
    /// Folder ("" for the app root) → its extra children.
    private var childrenByFolder: [String: [String: Kind]] = [:]

    init(_ files: [String: Data]) {
        var normalized: [String: Data] = [:]
        for (path, data) in files {
            let parts = path.split(separator: "/").filter { $0 != "." && !$0.isEmpty }
            guard !parts.isEmpty else { continue }
            normalized[parts.joined(separator: "/")] = data
            for depth in 0..<parts.count {
                let folder = parts[..<depth].joined(separator: "/")
                childrenByFolder[folder, default: [:]][String(parts[depth])] = depth == parts.count - 1 ? .file : .folder
            }
        }
        self.files = normalized
    }

    func children(of folder: String) -> [String: Kind] {
        childrenByFolder[folder] ?? [:]
    }
}

/// Uncompressed bytes per folder, up to `depth` levels under the app.
struct FolderTally {
    let depth: Int
    private var bytes: [String: Int64] = [:]
    private(set) var total: Int64 = 0

    init(depth: Int = 2) {
        self.depth = depth
    }

    mutating func add(_ relativePath: String, bytes count: Int64) {
        total += count
        var folder = ""
        for part in relativePath.split(separator: "/").dropLast().prefix(depth) {
            folder = folder.isEmpty ? String(part) : folder + "/" + part
            bytes[folder, default: 0] += count
        }
    }

    /// The largest folders first (ties by path, so the order is stable).
    func largest(_ count: Int) -> [FolderSize] {
        bytes.map { FolderSize(path: $0.key, bytes: $0.value) }
            .sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.path < $1.path }
            .prefix(count).map { $0 }
    }
}
