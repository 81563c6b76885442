import Foundation

/// A dependency file the app has under another name or in a folder, while the one compile needs
/// is missing: `requirements/prod.txt` with no root `requirements.txt` (the project's seed app,
/// whose root file was never pushed). The hint names the most production-looking candidate and
/// the one line that makes the root file include it.
struct DependencyFileHints {
    var appDirectory: URL

    /// How a root file can include another, per marker; only pip's format has a way.
    static let includeLine = ["requirements.txt": "-r"]

    func hints(forMissing markers: [DetectionRule.Marker]) -> [String] {
        markers.compactMap { marker in
            guard let include = Self.includeLine[marker.path], let best = candidates(for: marker.path).first else { return nil }
            return "Found '\(best)' but no \(marker.path) at the app root: add a \(marker.path) there containing the line `\(include) \(best)`, and commit it."
        }
    }

    /// Files that hold the same kind of list, most production-looking first:
    /// `requirements/*.txt`, `requirements-prod.txt`, `prod-requirements.txt`, `reqs.txt`.
    func candidates(for target: String) -> [String] {
        let stem = (target as NSString).deletingPathExtension.lowercased()
        let ext = (target as NSString).pathExtension.lowercased()
        let fm = FileManager.default
        var found: [String] = []
        for name in (try? fm.contentsOfDirectory(atPath: appDirectory.path)) ?? [] {
            let lower = name.lowercased()
            guard lower != target, (lower as NSString).pathExtension == ext,
                  lower.contains(stem) || lower == "reqs.\(ext)",
                  EditDistance.between(lower, target) > 2, !lower.hasPrefix(target) else { continue }
            if EntryKind.following(appDirectory.appendingPathComponent(name).path) == .file { found.append(name) }
        }
        for folder in [stem, "reqs"] {
            let url = appDirectory.appendingPathComponent(folder)
            guard EntryKind.of(url.path) == .directory else { continue }
            for name in (try? fm.contentsOfDirectory(atPath: url.path)) ?? [] where (name as NSString).pathExtension.lowercased() == ext {
                if EntryKind.following(url.appendingPathComponent(name).path) == .file { found.append("\(folder)/\(name)") }
            }
        }
        return found.sorted { (Self.productionScore($0), $1) > (Self.productionScore($1), $0) }
    }

    /// Production lists first, then shared bases, then anything; development and test lists last.
    static func productionScore(_ path: String) -> Int {
        let name = path.lowercased()
        if ["dev", "test", "local", "doc", "lint", "ci"].contains(where: { name.contains($0) }) { return 0 }
        if ["prod", "deploy", "heroku", "release"].contains(where: { name.contains($0) }) { return 3 }
        if ["base", "common", "main", "core"].contains(where: { name.contains($0) }) { return 2 }
        return 1
    }
}
