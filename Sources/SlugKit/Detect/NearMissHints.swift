import Foundation

/// Finds the usual reasons a marker file was not seen — a typo or wrong case, the file sits in
/// a subfolder, `.slugignore` removed it, git would not push it or has it elsewhere — and says
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
    /// A git-ref build: hints say where in the repository a missing marker is.
    var git: GitSourceContext?
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
        if let git {
            hints += await GitHints(context: git).hints(forMissing: missing.map(\.marker))
        } else {
            hints += await unpushed(markers)
        }
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

    /// Markers of a git checkout that a push would not send: ignored by `.gitignore`, or untracked.
    private func unpushed(_ markers: [(name: String, marker: DetectionRule.Marker)]) async -> [String] {
        let status = await gitStatus(markers.map(\.marker.path))
        return markers.map(\.marker.path).compactMap { path in
            if let (file, line) = status.ignored[path] {
                return "'\(path)' is ignored by \(file) (line \(line)): Heroku builds what you push, so commit it."
            }
            if status.untracked.contains(path) {
                return "'\(path)' is untracked in git: Heroku builds what you push, so commit it (git add \(path) && git commit)."
            }
            return nil
        }
    }

    /// Warnings for a build of a git checkout that detected the app through files a push would
    /// not send: the build works here and would fail on Heroku.
    func unpushedWarnings(_ markers: [(name: String, marker: DetectionRule.Marker)]) async -> [BuildWarning] {
        let present = markers.filter { exists($0.marker, in: appDirectory) }
        guard !present.isEmpty else { return [] }
        let status = await gitStatus(present.map(\.marker.path))
        return present.compactMap { name, marker in
            let path = marker.path
            let consequence = "this build found it, but a git push would not send it, so Heroku would not detect the app with the \(name) buildpack"
            if let (file, line) = status.ignored[path] {
                return BuildWarning(file: path, message: "ignored by \(file) (line \(line)): \(consequence). Remove that line (or git add -f \(path)), then commit it.")
            }
            if status.untracked.contains(path) {
                return BuildWarning(file: path, message: "untracked in git: \(consequence). Commit it: git add \(path) && git commit.")
            }
            return nil
        }
    }

    /// What git says about `paths` of the source folder; nothing when it is not a checkout or there is no git.
    private func gitStatus(_ paths: [String]) async -> WorkingTreeStatus {
        guard let sourceDirectory, isInGitCheckout(sourceDirectory),
              let repository = try? GitRepository(folder: sourceDirectory, baseEnvironment: environment) else { return WorkingTreeStatus() }
        return await repository.workingTreeStatus(paths)
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

}
