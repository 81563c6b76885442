import Foundation

/// Finds the usual reasons a marker file was not seen — a typo or wrong case, the file sits in
/// a subfolder, `.slugignore` removed it, `.gitignore` keeps it from being pushed — and says
/// what to do about each, one sentence per hint.
struct NearMissHints {
    /// A buildpack that did not match and the paths its rules wanted.
    struct Candidate {
        var buildpackName: String
        var markers: [DetectionRule.Marker]
    }

    var appDirectory: URL
    var sourceDirectory: URL?
    /// What renaming or un-ignoring achieves: detection, or (for a buildpack's `requires`) a build.
    var goal = "detect the app"
    /// For finding and running `git`.
    var environment: [String: String]
    /// Folders the subfolder search never enters: they hold dependencies or history, not the app.
    static let skippedFolders: Set<String> = [".git", "node_modules", ".build"]
    static let subfolderDepth = 3
    static let subfolderEntryLimit = 5_000

    /// Subfolder hints only (`--app-dir`), for markers that say where an app is without being
    /// what a buildpack needs (a Pipfile in `server/` when requirements.txt is missing).
    func subfolderHints(for candidate: Candidate) -> [String] {
        let missing = candidate.markers.filter { !exists($0, in: appDirectory) }.map { (candidate.buildpackName, $0) }
        return subfolders(missing)
    }

    func hints(for candidates: [Candidate]) async -> [String] {
        // Each marker once, credited to the first buildpack that looks for it.
        var seen = Set<String>()
        var markers: [(name: String, marker: DetectionRule.Marker)] = []
        for candidate in candidates {
            for marker in candidate.markers where seen.insert(marker.path).inserted {
                markers.append((candidate.buildpackName, marker))
            }
        }
        let allNames = Set(markers.map { ($0.marker.path as NSString).lastPathComponent })
        let missing = markers.filter { !exists($0.marker, in: appDirectory) }
        var hints: [String] = []
        for (name, marker) in missing {
            hints += misspellings(of: marker, buildpack: name, knownNames: allNames)
        }
        hints += subfolders(missing)
        hints += slugIgnored(missing)
        hints += await gitIgnored(markers)
        var unique = Set<String>()
        return hints.filter { unique.insert($0).inserted }
    }

    private func exists(_ marker: DetectionRule.Marker, in root: URL) -> Bool {
        let kind = EntryKind.following(root.appendingPathComponent(marker.path).path)
        return marker.isDirectory ? kind == .directory : kind == .file
    }

    /// `requirments.txt`, `Requirements.txt`, `procfile` next to where the marker should be.
    private func misspellings(of marker: DetectionRule.Marker, buildpack: String, knownNames: Set<String>) -> [String] {
        let target = (marker.path as NSString).lastPathComponent
        let parent = (marker.path as NSString).deletingLastPathComponent
        let folder = parent.isEmpty ? appDirectory : appDirectory.appendingPathComponent(parent)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            return miscasedFolder(of: marker, buildpack: buildpack)
        }
        var hints: [String] = []
        for name in names.sorted() where !knownNames.contains(name) {
            let shown = parent.isEmpty ? name : parent + "/" + name
            if name.lowercased() == target.lowercased() {
                hints.append("Found '\(shown)': did you mean '\(marker.path)'? Names are case-sensitive: rename it so the \(buildpack) buildpack can \(goal).")
            } else if target.count >= 5, EditDistance.between(name.lowercased(), target.lowercased()) <= 2
                        || name.lowercased().hasPrefix(target.lowercased() + ".") {
                // `Package.swift.txt`: an editor or a download added an extension.
                hints.append("Found '\(shown)': did you mean '\(marker.path)'? Rename it so the \(buildpack) buildpack can \(goal).")
            }
        }
        return hints
    }

    /// `Public/index.html` for `public/index.html`: the marker's folder exists under another case.
    private func miscasedFolder(of marker: DetectionRule.Marker, buildpack: String) -> [String] {
        let parts = marker.path.split(separator: "/").map(String.init)
        guard parts.count == 2, let names = try? FileManager.default.contentsOfDirectory(atPath: appDirectory.path) else { return [] }
        return names.sorted().filter { $0 != parts[0] && $0.lowercased() == parts[0].lowercased() }.compactMap { folder in
            let found = folder + "/" + parts[1]
            guard EntryKind.following(appDirectory.appendingPathComponent(found).path) != .missing else { return nil }
            return "Found '\(found)': did you mean '\(marker.path)'? Names are case-sensitive: rename the folder so the \(buildpack) buildpack can \(goal)."
        }
    }

    /// Markers that exist in a subfolder (a monorepo): suggest `--app-dir`.
    private func subfolders(_ missing: [(name: String, marker: DetectionRule.Marker)]) -> [String] {
        guard !missing.isEmpty else { return [] }
        var hints: [String] = []
        var reported = Set<String>()
        for folder in foldersBelow(appDirectory) {
            for (name, marker) in missing where exists(marker, in: appDirectory.appendingPathComponent(folder)) {
                guard reported.insert(name + "\u{0}" + folder).inserted else { continue }
                hints.append("Found '\(folder)/\(marker.path)': the \(name) buildpack looks at the app root. Build that folder with --app-dir \(folder).")
            }
        }
        return hints
    }

    /// Real folders up to `subfolderDepth` below `root`, breadth first and sorted, relative paths.
    private func foldersBelow(_ root: URL) -> [String] {
        var result: [String] = []
        var level: [String] = [""]
        var budget = Self.subfolderEntryLimit
        for _ in 0..<Self.subfolderDepth {
            var next: [String] = []
            for folder in level {
                let url = folder.isEmpty ? root : root.appendingPathComponent(folder)
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { continue }
                for name in names.sorted() where !Self.skippedFolders.contains(name) {
                    budget -= 1
                    if budget < 0 { return result + next }
                    let relative = folder.isEmpty ? name : folder + "/" + name
                    if EntryKind.of(root.appendingPathComponent(relative).path) == .directory { next.append(relative) }
                }
            }
            result += next
            level = next
        }
        return result
    }

    /// Markers the source has but `.slugignore` removed before detection.
    private func slugIgnored(_ missing: [(name: String, marker: DetectionRule.Marker)]) -> [String] {
        guard let sourceDirectory,
              let ignore = try? SlugIgnore(contentsOf: sourceDirectory.appendingPathComponent(".slugignore")),
              !ignore.rules.isEmpty else { return [] }
        var hints: [String] = []
        for (name, marker) in missing where exists(marker, in: sourceDirectory) {
            let (ignored, line) = ignore.matches(marker.path, isDirectory: marker.isDirectory)
            guard ignored else { continue }
            let place = line.map { " (line \($0))" } ?? ""
            hints.append("'\(marker.path)' is listed in .slugignore\(place), so it is removed before detection: remove that line so the \(name) buildpack can \(goal).")
        }
        return hints
    }

    /// Markers in a git checkout that `.gitignore` keeps out of what gets pushed.
    private func gitIgnored(_ markers: [(name: String, marker: DetectionRule.Marker)]) async -> [String] {
        guard let sourceDirectory, isInGitCheckout(sourceDirectory), let git = findExecutable("git") else { return [] }
        let present = markers.map(\.marker.path).filter { path in
            EntryKind.of(sourceDirectory.appendingPathComponent(path).path) != .missing
        }
        guard !present.isEmpty else { return [] }
        let process = ChildProcess(
            executable: git, arguments: ["check-ignore", "-v", "--"] + present,
            environment: environment, workingDirectory: sourceDirectory, timeout: .seconds(10), capturesOutput: true)
        // Exit 1 means "nothing ignored"; anything else but 0 (no repository, no git) means no hint.
        guard let outcome = try? await process.run(), outcome.exitCode == 0 else { return [] }
        var hints: [String] = []
        for line in outcome.capturedOutput.split(separator: "\n") {
            // "<source>:<line>:<pattern>\t<path>"
            guard let tab = line.firstIndex(of: "\t") else { continue }
            let path = String(line[line.index(after: tab)...])
            let fields = line[..<tab].split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, let number = Int(fields[1]) else { continue }
            let source = fields[0].hasPrefix(sourceDirectory.path + "/") ? String(fields[0].dropFirst(sourceDirectory.path.count + 1)) : String(fields[0])
            hints.append("'\(path)' is ignored by \(source) (line \(number)): Heroku builds what you push, so commit it.")
        }
        return hints
    }

    /// The source itself or a folder above it has `.git`: with --app-dir the source is a subfolder.
    private func isInGitCheckout(_ directory: URL) -> Bool {
        var folder = directory.standardizedFileURL
        for _ in 0..<32 {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path) { return true }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return false }
            folder = parent
        }
        return false
    }

    private func findExecutable(_ name: String) -> String? {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
