import Foundation

/// Lists and `lstat`s the folders the walk (`SlugWalk`) will enter next, on a thread of its own,
/// in the order the walk enters them.
///
/// When the file index lets a rebuild skip reading files, what is left of the walk is about
/// half system calls (a `getdents64` per folder, an `fstatat` per entry, as `tar -cf /dev/null`
/// makes) and half writing headers, all on one thread that every other thread of the pack
/// waits for, while the second core is mostly idle. Here the system calls run ahead on that
/// core, and the walk takes each folder's entries with their status already known.
///
/// The thread walks depth-first in sorted order and enters exactly the folders the walk
/// does: a folder on disk (by `lstat`), not `.git`, not shadowed by an extra file, not
/// excluded. Should the two ever disagree (a folder replaced by a file between the listing and
/// the walk), the walk notices that the next listing is not the one it wants, stops the thread
/// and lists the rest itself (`take`), so the slug is the same either way. At most
/// `queueLimit` entries (about 200 bytes each) in at most `maxQueuedFolders` folders wait to be
/// taken: that bounds memory, and the descriptors of the folders held open for the walk (a
/// process may have as few as 1,024).
final class FolderPrefetch: @unchecked Sendable {
    /// A folder, held open, with its entries in sorted order (or why it could not be listed).
    struct Listing {
        /// Path under the root, "" for the root.
        let relative: String
        let folder: Result<OpenFolder, PackError>
        let entries: [ListedEntry]
    }

    static let defaultQueueLimit = 16_384
    static let maxQueuedFolders = 128
    /// A walk waiting for listings is woken once this many entries are queued (or the thread
    /// ends): waking it for every folder cost a context switch each, thousands in an app.
    private static let wakeBatchEntries = 256

    private let root: String
    private let queueLimit: Int
    private let excludes: @Sendable (String, Bool) -> Bool
    private let extraFiles: Set<String>
    /// `PackOptions.linkedFolders`: these symlinks are listed as the folders they stand for.
    private let linkedFolders: [String: String]
    private let condition = NSCondition()
    /// Listings from `queueHead` on wait to be taken; a taken one's slot is emptied at once,
    /// so its folder closes when the walk is done with it.
    private var queue: [Listing?] = []
    private var queueHead = 0
    private var queuedEntries = 0
    private var finished = false
    private var stopping = false
    private var threadEnded = false
    private var walkWaiting = false
    private var threadWaiting = false

    /// Starts listing `root` at once. `extraFiles` are the paths (under the root) the walk adds
    /// from memory: a folder on disk under such a name is not entered.
    init(root: String, excludes: @escaping @Sendable (String, Bool) -> Bool, extraFiles: Set<String>,
         linkedFolders: [String: String] = [:], queueLimit: Int = defaultQueueLimit) {
        self.root = root
        self.queueLimit = max(queueLimit, 1)
        self.excludes = excludes
        self.extraFiles = extraFiles
        self.linkedFolders = linkedFolders
        let thread = Thread { [self] in
            self.listAll()
            self.condition.lock()
            self.finished = true
            self.threadEnded = true
            self.condition.broadcast()
            self.condition.unlock()
        }
        thread.start()
    }

    /// The listing of the folder at `relative`, which must be the next folder the walk enters;
    /// nil when the thread has stopped or its next listing is another folder (it is stopped then).
    func take(_ relative: String) -> Listing? {
        condition.lock()
        while queueHead == queue.count && !finished && !stopping {
            walkWaiting = true
            condition.wait()
            walkWaiting = false
        }
        guard queueHead < queue.count, !stopping, let listing = queue[queueHead], listing.relative == relative else {
            condition.unlock()
            stop()
            return nil
        }
        queue[queueHead] = nil
        queueHead += 1
        queuedEntries -= listing.entries.count
        if queueHead >= Self.maxQueuedFolders && queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        if threadWaiting && queuedEntries <= queueLimit / 2 && queue.count - queueHead <= Self.maxQueuedFolders / 2 { condition.broadcast() }
        condition.unlock()
        return listing
    }

    /// Stops the thread and returns once it no longer touches the file system; the listings
    /// not taken are dropped (their folders closed).
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !threadEnded { condition.wait() }
        queue.removeAll()
        queueHead = 0
        condition.unlock()
    }

    /// A folder still to be listed: the root (no parent), `name` inside `parent`, or a linked
    /// folder (`source`, opened by its path).
    private struct Pending {
        let relative: String
        let parent: OpenFolder?
        let name: String
        var source: String? = nil
    }

    /// Lists every folder depth-first, each before its subfolders, the subfolders in sorted
    /// order, handing each listing to the walk as it is made. A stack of the folders still to
    /// list rather than recursion: an app's folders may nest thousands deep, beyond what a
    /// thread's stack holds.
    private func listAll() {
        var pending = [Pending(relative: "", parent: nil, name: "")]
        while let next = pending.popLast() {
            if isStopping { return }
            let relative = next.relative
            let folder: OpenFolder
            do throws(PackError) {
                if let source = next.source {
                    folder = try OpenFolder(path: source)
                } else if let parent = next.parent {
                    folder = try OpenFolder(name: next.name, in: parent, path: root + "/" + relative)
                } else {
                    folder = try OpenFolder(path: root)
                }
            } catch {
                publish(Listing(relative: relative, folder: .failure(error), entries: []))
                continue
            }
            let entries: [ListedEntry]
            do throws(PackError) { entries = try listEntries(of: folder, at: relative) } catch {
                publish(Listing(relative: relative, folder: .failure(error), entries: []))
                continue
            }
            guard publish(Listing(relative: relative, folder: .success(folder), entries: entries)) else { return }
            // Pushed last first, so the first subfolder is listed next.
            for entry in entries.reversed() {
                guard case let .success(info)? = entry.status, FileSystem.isDirectory(info), entry.name != ".git" else { continue }
                let child = relative.isEmpty ? entry.name : relative + "/" + entry.name
                guard !extraFiles.contains(child), !excludes(child, true) else { continue }
                pending.append(Pending(relative: child, parent: folder, name: entry.name, source: entry.linkedSource))
            }
        }
    }

    /// The folder's entries in sorted order, each `lstat`ed, and each symlink's target read.
    private func listEntries(of folder: OpenFolder, at relative: String) throws(PackError) -> [ListedEntry] {
        let names = try folder.sortedEntries()
        var entries: [ListedEntry] = []
        entries.reserveCapacity(names.count)
        for (name, type) in names {
            let path = { self.root + "/" + (relative.isEmpty ? name : relative + "/" + name) }
            let status: Result<stat, PackError>
            do throws(PackError) { status = .success(try folder.status(of: name, path: path())) } catch { status = .failure(error) }
            var target: Result<String, PackError>?
            if case let .success(info) = status, FileSystem.isSymlink(info) {
                let relativePath = relative.isEmpty ? name : relative + "/" + name
                if let source = linkedFolders[relativePath] {
                    entries.append(ListedEntry(name: name, type: UInt8(DT_DIR), status: LinkedFolder.status(of: source), linkedSource: source))
                    continue
                }
                do throws(PackError) { target = .success(try folder.symlinkTarget(of: name, path: path())) } catch { target = .failure(error) }
            }
            entries.append(ListedEntry(name: name, type: type, status: status, target: target))
        }
        return entries
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    /// Queues a listing for the walk, waiting while the queue is full; false once stopping.
    @discardableResult
    private func publish(_ listing: Listing) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while (queuedEntries >= queueLimit || queue.count - queueHead >= Self.maxQueuedFolders) && queueHead < queue.count && !stopping {
            threadWaiting = true
            condition.wait()
            threadWaiting = false
        }
        guard !stopping else { return false }
        queue.append(listing)
        queuedEntries += listing.entries.count
        // The root's listing at once: the walk cannot start without it.
        let batched = queuedEntries >= min(Self.wakeBatchEntries, queueLimit) || queue.count - queueHead >= Self.maxQueuedFolders
        if walkWaiting && (batched || listing.relative.isEmpty) { condition.broadcast() }
        return true
    }
}

/// An entry of a folder on disk as the walk takes it: its name and listed type and, when
/// `FolderPrefetch` listed it, what `lstat` said of it (or why it could not) and, for a
/// symlink, where it points.
struct ListedEntry {
    let name: String
    /// The listing's `d_type`.
    let type: UInt8
    var status: Result<stat, PackError>? = nil
    var target: Result<String, PackError>? = nil
    /// For a symlink packed as a folder (`PackOptions.linkedFolders`): the folder it stands for;
    /// `status` is then that folder's.
    var linkedSource: String? = nil
}

/// A symlink packed as the folder it stands for (`PackOptions.linkedFolders`).
enum LinkedFolder {
    /// The folder's own status (followed, it is a path the build chose), as the entry's.
    static func status(of source: String) -> Result<stat, PackError> {
        var info = stat()
        guard stat(source, &info) == 0 else { return .failure(PackError.io(path: source, reason: FileSystem.describe(errno))) }
        guard FileSystem.isDirectory(info) else {
            return .failure(PackError.io(path: source, reason: "a linked folder must be a folder"))
        }
        return .success(info)
    }
}
