import Foundation

/// Walks the app directory depth-first in sorted order and writes each entry under `./app/`,
/// merging in the extra files and leaving out `.git` and whatever `excludes` names.
///
/// Where files are deferred (`DeferredFile`), folders are listed and their entries `lstat`ed
/// ahead by `FolderPrefetch`, on another thread.
struct SlugWalk {
    let root: String
    let tar: TarWriter
    let mtime: Int64
    let excludes: @Sendable (String, Bool) -> Bool
    let extras: ExtraFiles
    /// `PackOptions.linkedFolders`.
    let linkedFolders: [String: String]
    /// Lists the folders ahead of the walk; nil when the walk lists them itself.
    private var prefetch: FolderPrefetch?
    /// First archived path of each file with several hard links.
    private var linked: [FileIdentity: String] = [:]
    private(set) var tally = FolderTally()
    /// Looks at every entry as it is packed, when the caller asked for it.
    private(set) var portability: PortabilityCheck?
    /// Sockets, FIFOs and devices met on the way, which a tar of an app cannot usefully hold.
    private(set) var leftOut: [String] = []
    /// What `portability` found, tagged with each entry's place (deferred files are checked elsewhere).
    private(set) var orderedFindings: [OrderedFinding] = []
    private var harvested = 0
    /// Entries visited so far: the next one's place in the walk.
    private var ordinal = 0

    init(root: String, tar: TarWriter, mtime: Int64, options: PackOptions) {
        self.root = root
        self.tar = tar
        self.mtime = mtime
        excludes = options.excludes
        extras = ExtraFiles(options.extraFiles)
        linkedFolders = options.linkedFolders
        portability = options.portability
    }

    mutating func run() throws(PackError) {
        var info = stat()
        // The root itself may be a symlink to the app (it is what the user named); nothing below it is followed.
        guard stat(root, &info) == 0 else { throw PackError.io(path: root, reason: FileSystem.describe(errno)) }
        guard FileSystem.isDirectory(info) else { throw PackError.io(path: root, reason: "not a directory; pass the folder to pack") }
        if tar.defersFiles {
            prefetch = FolderPrefetch(root: root, excludes: excludes, extraFiles: Set(extras.files.keys), linkedFolders: linkedFolders)
        }
        defer { prefetch?.stop() }
        try tar.addDirectory("./app/", mode: info.st_mode, mtime: mtime)
        var top = try prefetchedFolder("")
        if top == nil { top = DiskFolder(open: try OpenFolder(path: root)) }
        // A stack of the folders being walked rather than recursion: an app's folders may nest
        // thousands deep, beyond what the calling thread's stack holds.
        var folders = [try FolderVisit(Descent(relative: "", disk: top, tallyFolders: []), extras: extras)]
        while let last = folders.indices.last {
            guard let item = folders[last].next() else {
                folders.removeLast()
                continue
            }
            let visiting = folders[last]
            let onDisk = visiting.disk.flatMap { disk in item.listed.map { (disk.open, $0) } }
            if let descent = try visit(item.name, in: visiting.relative, onDisk: onDisk, extra: item.extra,
                                       tallyFolders: visiting.tallyFolders) {
                folders.append(try FolderVisit(descent, extras: extras))
            }
        }
    }

    /// A folder the walk enters next: `disk` is nil for one that exists only to hold extra
    /// files. `tallyFolders` are the tallied folders every file directly inside counts towards
    /// (`FolderTally.folders(of:inside:)`).
    private struct Descent {
        let relative: String
        let disk: DiskFolder?
        let tallyFolders: [String]
    }

    /// A folder being walked: its names (the entries on disk merged with the extra files' names)
    /// and how far the walk is through them.
    private struct FolderVisit {
        let relative: String
        let disk: DiskFolder?
        let tallyFolders: [String]
        private let entries: [ListedEntry]
        /// Set only when extra files lie in the folder.
        private let merged: [(name: String, listed: ListedEntry?, extra: ExtraFiles.Kind?)]?
        private var position = 0

        init(_ descent: Descent, extras: ExtraFiles) throws(PackError) {
            relative = descent.relative
            disk = descent.disk
            tallyFolders = descent.tallyFolders
            if let prefetched = disk?.prefetched {
                entries = prefetched
            } else {
                entries = try disk?.open.sortedEntries().map { ListedEntry(name: $0.name, type: $0.type) } ?? []
            }
            let extraChildren = extras.children(of: relative)
            merged = extraChildren.isEmpty ? nil : SlugWalk.merge(entries, extraChildren)
        }

        /// The next name to visit, nil once every one was.
        mutating func next() -> (name: String, listed: ListedEntry?, extra: ExtraFiles.Kind?)? {
            defer { position += 1 }
            if let merged { return position < merged.count ? merged[position] : nil }
            return position < entries.count ? (entries[position].name, entries[position], nil) : nil
        }
    }

    /// A folder on disk as the walk reads it: held open, with its entries already listed and
    /// `lstat`ed when `FolderPrefetch` listed it.
    private struct DiskFolder {
        let open: OpenFolder
        var prefetched: [ListedEntry]? = nil
    }

    /// The folder at `relative` as the prefetch thread listed it; nil when there is no prefetch
    /// thread (any more: it stops when its listing is not the one wanted, and the walk lists the
    /// rest itself).
    private mutating func prefetchedFolder(_ relative: String) throws(PackError) -> DiskFolder? {
        guard let prefetch else { return nil }
        guard let listing = prefetch.take(relative) else {
            self.prefetch = nil
            return nil
        }
        return DiskFolder(open: try listing.folder.get(), prefetched: listing.entries)
    }

    /// The entries on disk and the extra names merged in byte order, a name in both once; the
    /// entry is nil for a name only the extras have, the kind nil for one only the disk has.
    /// Bytes, not `String` equality, a `Set` or a dictionary lookup: those take "é" and
    /// "e\u{301}" for one name, and one of two such files would be lost.
    private static func merge(_ real: [ListedEntry], _ extra: [String: ExtraFiles.Kind])
        -> [(name: String, listed: ListedEntry?, extra: ExtraFiles.Kind?)] {
        let extraNames = extra.sorted { FileSystem.bytewisePrecedes($0.key, $1.key) }
        var merged: [(name: String, listed: ListedEntry?, extra: ExtraFiles.Kind?)] = []
        var nextReal = 0, nextExtra = 0
        while nextReal < real.count || nextExtra < extraNames.count {
            let realFirst = nextExtra == extraNames.count
                || (nextReal < real.count && !FileSystem.bytewisePrecedes(extraNames[nextExtra].key, real[nextReal].name))
            if realFirst {
                let sameName = nextExtra < extraNames.count
                    && !FileSystem.bytewisePrecedes(real[nextReal].name, extraNames[nextExtra].key)
                merged.append((real[nextReal].name, real[nextReal], sameName ? extraNames[nextExtra].value : nil))
                nextReal += 1
                if sameName { nextExtra += 1 }
            } else {
                merged.append((extraNames[nextExtra].key, nil, extraNames[nextExtra].value))
                nextExtra += 1
            }
        }
        return merged
    }

    /// One name in `folder`: `onDisk` when the folder on disk has it (with its listed type),
    /// `extra` when an extra file is it or lies below it. Returns the folder to walk next when
    /// the name is one (its entries follow its own, before the rest of `folder`'s).
    private mutating func visit(_ name: String, in folder: String, onDisk: (folder: OpenFolder, entry: ListedEntry)?,
                                extra: ExtraFiles.Kind?, tallyFolders: [String]) throws(PackError) -> Descent? {
        let relative = folder.isEmpty ? name : folder + "/" + name
        let place = ordinal
        ordinal += 1
        defer { harvestFindings(of: place) }
        if extra == .file, let data = extras.files[relative] {
            try tar.addFile("./app/" + relative, contents: data, mode: 0o644, mtime: mtime)
            tally.add(relative, bytes: Int64(data.count))
            portability?.checkFile(at: relative, contents: data, mode: 0o644)
            return nil
        }
        let needsFolder = extra == .folder
        var found: Found?
        if let onDisk, name != ".git" {
            found = try find(name, relative, entry: onDisk.entry, in: onDisk.folder, needsFolder: needsFolder)
        }
        guard let found, !needsFolder || FileSystem.isDirectory(found.info) else {
            found.flatMap(\.file).map { _ = close($0) }
            guard needsFolder else { return nil }
            try tar.addDirectory("./app/" + relative + "/", mode: 0o755, mtime: mtime)
            return Descent(relative: relative, disk: nil, tallyFolders: tally.folders(of: relative, inside: tallyFolders))
        }
        return try add(name, relative, found, place: place, tallyFolders: tallyFolders)
    }

    /// Tags what the portability check found since the last call as the entry at `place`'s.
    private mutating func harvestFindings(of place: Int) {
        guard let all = portability?.findings, all.count > harvested else { return }
        for (sequence, finding) in all[harvested...].enumerated() {
            orderedFindings.append(OrderedFinding(ordinal: place, sequence: sequence, finding: finding))
        }
        harvested = all.count
    }

    /// An entry on disk and what it is; `file` is already open when the listing said "regular
    /// file", `subfolder` when it said "folder", `target` read when the prefetch thread listed a symlink.
    private struct Found {
        var info: stat
        var folder: OpenFolder
        var file: Int32?
        var subfolder: OpenFolder? = nil
        var target: Result<String, PackError>? = nil
        /// The folder a linked symlink stands for (`PackOptions.linkedFolders`).
        var linkedSource: String? = nil
    }

    /// The entry unless `excludes` leaves it out. A regular file or a folder is opened and
    /// `fstat`ed rather than `lstat`ed and then opened, one name lookup fewer for most entries of
    /// an app; but where files are deferred (`DeferredFile`), a regular file is only `lstat`ed.
    private func find(_ name: String, _ relative: String, entry: ListedEntry, in disk: OpenFolder,
                      needsFolder: Bool) throws(PackError) -> Found? {
        let type = entry.type
        if let listed = entry.status {
            // Excluded entries are left out before their status is looked at, as below.
            if type == UInt8(DT_REG) && !needsFolder && excludes(relative, false) { return nil }
            if type == UInt8(DT_DIR) && excludes(relative, true) { return nil }
            let status = try listed.get()
            return excludes(relative, FileSystem.isDirectory(status)) ? nil
                : Found(info: status, folder: disk, file: nil, target: entry.target, linkedSource: entry.linkedSource)
        }
        if let source = linkedFolders[relative], type == UInt8(DT_LNK) || type == UInt8(DT_UNKNOWN),
           FileSystem.isSymlink(try disk.status(of: name, path: root + "/" + relative)) {
            if excludes(relative, true) { return nil }
            return Found(info: try LinkedFolder.status(of: source).get(), folder: disk, file: nil, linkedSource: source)
        }
        if type == UInt8(DT_REG) && !needsFolder {
            if excludes(relative, false) { return nil }
            if tar.defersFiles {
                let status = try disk.status(of: name, path: root + "/" + relative)
                return FileSystem.isDirectory(status) && excludes(relative, true) ? nil : Found(info: status, folder: disk, file: nil)
            }
            if let opened = disk.openRegularFile(name) { return Found(info: opened.info, folder: disk, file: opened.descriptor) }
        }
        if type == UInt8(DT_DIR) {
            if excludes(relative, true) { return nil }
            if let opened = disk.openFolder(name, path: root + "/" + relative) {
                return Found(info: opened.info, folder: disk, file: nil, subfolder: opened.folder)
            }
        }
        let status = try disk.status(of: name, path: root + "/" + relative)
        return excludes(relative, FileSystem.isDirectory(status)) ? nil : Found(info: status, folder: disk, file: nil)
    }

    /// Writes the entry; a folder's entries are the walk's next (the returned descent).
    private mutating func add(_ name: String, _ relative: String, _ found: Found, place: Int,
                              tallyFolders: [String]) throws(PackError) -> Descent? {
        defer { found.file.map { _ = close($0) } }
        let archived = "./app/" + relative
        let info = found.info
        if FileSystem.isDirectory(info) {
            try tar.addDirectory(archived + "/", mode: info.st_mode, mtime: mtime)
            let subfolder: DiskFolder
            if let opened = found.subfolder { subfolder = DiskFolder(open: opened) } else if let listed = try prefetchedFolder(relative) {
                subfolder = listed
            } else if let source = found.linkedSource {
                subfolder = DiskFolder(open: try OpenFolder(path: source))
            } else {
                subfolder = DiskFolder(open: try OpenFolder(name: name, in: found.folder, path: root + "/" + relative))
            }
            return Descent(relative: relative, disk: subfolder, tallyFolders: tally.folders(of: relative, inside: tallyFolders))
        } else if FileSystem.isSymlink(info) {
            let target: String
            if let listed = found.target { target = try listed.get() } else {
                target = try found.folder.symlinkTarget(of: name, path: root + "/" + relative)
            }
            try tar.addSymlink(archived, target: target, mtime: mtime)
            portability?.checkSymlink(at: relative, target: target)
        } else if FileSystem.isRegular(info) {
            if info.st_nlink > 1 {
                let identity = FileIdentity(info)
                if let first = linked[identity] {
                    try tar.addHardLink(archived, to: first, mode: info.st_mode, mtime: mtime)
                    return nil
                }
                linked[identity] = archived
            }
            if found.file == nil, tar.defersFiles {
                let file = DeferredFile(root: root, relative: relative, mode: UInt32(info.st_mode),
                                        stamp: FileStamp(info), ordinal: place)
                try tar.addFile(archived, deferring: file, mode: info.st_mode, mtime: mtime)
                tally.add(Int64(info.st_size), to: tallyFolders, file: relative)
                return nil
            }
            var descriptor = found.file ?? -1
            if found.file == nil { descriptor = try found.folder.openFile(name, path: root + "/" + relative) }
            defer { if found.file == nil { close(descriptor) } }
            var scan = portability?.startFile(at: relative, mode: UInt32(info.st_mode), size: Int64(info.st_size), keepsELF: false)
            try tar.addFile(archived, reading: descriptor, source: root + "/" + relative, size: Int64(info.st_size),
                            mode: info.st_mode, mtime: mtime) { scan?.consume($0) }
            tally.add(Int64(info.st_size), to: tallyFolders, file: relative)
            // An ELF file's headers are read again from the file, only as far as needed.
            if let scan { portability?.finish(scan, elf: ELFDescriptorBytes(descriptor: descriptor)) }
        } else {
            // Sockets, FIFOs and devices cannot run from a slug; they are left out like `git` would.
            leftOut.append(relative)
        }
        return nil
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
    private var rootFiles: [String: Int64] = [:]
    private(set) var total: Int64 = 0

    init(depth: Int = 2) {
        self.depth = depth
    }

    /// `relativePath` is resolved (no empty, `.` or `..` parts): its folders are the prefixes
    /// before each "/", cut from its bytes (`inspect` tallies every file of a slug this way).
    mutating func add(_ relativePath: String, bytes count: Int64) {
        var folders: [String] = []
        let bytes = relativePath.utf8
        var next = bytes.startIndex
        while folders.count < depth, let slash = bytes[next...].firstIndex(of: UInt8(ascii: "/")) {
            folders.append(String(relativePath[..<slash]))
            next = bytes.index(after: slash)
        }
        add(count, to: folders, file: relativePath)
    }

    /// The tallied folders a file directly inside `folder` counts towards (for `add(_:to:)`),
    /// given those of its parent folder: the walk works them out once per folder this way,
    /// rather than splitting every folder's path again.
    func folders(of folder: String, inside parentFolders: [String]) -> [String] {
        parentFolders.count < depth ? parentFolders + [folder] : parentFolders
    }

    /// Adds a file's bytes to folders found once with `folders(of:inside:)`; a file at the app
    /// root (no folders) is tallied by its own path, for `largestEntries`.
    mutating func add(_ count: Int64, to folders: [String], file: String? = nil) {
        total += count
        for folder in folders { bytes[folder, default: 0] += count }
        if folders.isEmpty, let file { rootFiles[file, default: 0] += count }
    }

    /// The largest folders (with a trailing "/") and files at the app root, largest first: what
    /// the size-limit message lists, since one big file at the root can be the whole story.
    func largestEntries(_ count: Int) -> [FolderSize] {
        (bytes.map { FolderSize(path: $0.key + "/", bytes: $0.value) } + rootFiles.map { FolderSize(path: $0.key, bytes: $0.value) })
            .sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.path < $1.path }
            .prefix(count).map { $0 }
    }

    /// The largest folders first (ties by path, so the order is stable).
    func largest(_ count: Int) -> [FolderSize] {
        bytes.map { FolderSize(path: $0.key, bytes: $0.value) }
            .sorted { $0.bytes != $1.bytes ? $0.bytes > $1.bytes : $0.path < $1.path }
            .prefix(count).map { $0 }
    }
}
