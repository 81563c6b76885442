import Foundation

/// Finds buildpacks: the built-in ones in detection order, and one named by `--buildpack`.
public enum BuildpackCatalog {
    /// The buildpacks in `directory`, in the order `directory/order.yml` gives.
    public static func load(from directory: URL) throws(DetectError) -> [Buildpack] {
        let orderFile = directory.appendingPathComponent("order.yml")
        guard FileManager.default.fileExists(atPath: orderFile.path) else {
            throw DetectError.invalidBuildpack(
                file: orderFile.path, line: nil,
                message: "there is no order.yml in \(directory.path): create one that lists the buildpack folders in detection order, e.g. 'order: [python, swift, static]'.")
        }
        let root = try BuildpackManifest.parseFile(orderFile)
        let context = BuildpackManifest.Context(file: orderFile.path)
        guard let list = root["order"] else {
            throw context.error(root, "order.yml has no 'order' list: write the buildpack folders in detection order, e.g. 'order: [python, swift, static]'.")
        }
        guard let items = list.sequence else {
            throw context.error(list, "'order' must be a list of buildpack folders, e.g. 'order: [python, swift, static]', but it is \(list.kindName).")
        }
        var buildpacks: [Buildpack] = []
        var seen: [String: Int] = [:]
        for item in items {
            let id = try context.scalar(item, key: "each item of 'order'")
            if let first = seen[id] {
                throw context.error(item, "'\(id)' is listed twice (first on line \(first)): keep one.")
            }
            seen[id] = item.mark.line
            let folder = directory.appendingPathComponent(id)
            guard !id.isEmpty, !id.contains("/"), id != ".", id != "..",
                  EntryKind.following(folder.path) == .directory else {
                throw context.error(item, "order.yml lists '\(id)', but there is no folder '\(id)' beside it: create \(folder.path)/ with a buildpack.yml, or remove '\(id)' from the list.")
            }
            let buildpack = try loadFolder(folder)
            if case .rules = buildpack.detection, buildpack.id != id {
                throw DetectError.invalidBuildpack(
                    file: folder.appendingPathComponent("buildpack.yml").path, line: nil,
                    message: "the id '\(buildpack.id)' differs from its folder name '\(id)': make them the same, since --buildpack and order.yml both use it.")
            }
            buildpacks.append(buildpack)
        }
        return buildpacks
    }

    /// One buildpack folder: declarative (`buildpack.yml`) or classic (`bin/detect`).
    public static func loadFolder(_ folder: URL) throws(DetectError) -> Buildpack {
        let manifest = folder.appendingPathComponent("buildpack.yml")
        if FileManager.default.fileExists(atPath: manifest.path) {
            return try BuildpackManifest.load(directory: folder)
        }
        let detect = folder.appendingPathComponent("bin/detect")
        if EntryKind.following(detect.path) == .file {
            guard FileManager.default.isExecutableFile(atPath: detect.path) else {
                throw DetectError.invalidBuildpack(file: detect.path, line: nil, message: "bin/detect is not executable: run 'chmod +x \(detect.path)'.")
            }
            let id = folder.lastPathComponent
            return Buildpack(id: id, name: id, directory: folder, detection: .script(detect))
        }
        let hasCompile = FileManager.default.fileExists(atPath: folder.appendingPathComponent("bin/compile").path)
        let found = hasCompile ? "it has bin/compile but neither buildpack.yml nor bin/detect" : "it has neither bin/compile nor buildpack.yml"
        throw DetectError.invalidBuildpack(
            file: folder.path, line: nil,
            message: "this folder is not a buildpack: \(found). A buildpack has bin/compile, plus buildpack.yml (declarative detection) or bin/detect (a classic Heroku buildpack).")
    }

    /// A `--buildpack` reference: a built-in id, a folder, or a `.tgz`/`.tar.gz` archive
    /// (unpacked into `scratch`, refused once it expands past `expansionLimit` bytes).
    public static func resolve(_ reference: String, builtIn directory: URL, scratch: URL,
                               expansionLimit: Int64 = ArchiveLimits.defaultExpansion) throws(DetectError) -> Buildpack {
        let fileManager = FileManager.default
        let looksLikePath = reference.contains("/") || reference.hasPrefix(".") || isArchive(reference)
        if !looksLikePath, !reference.isEmpty,
           EntryKind.following(directory.appendingPathComponent(reference).path) == .directory {
            var buildpack = try loadFolder(directory.appendingPathComponent(reference))
            buildpack.reference = reference
            return buildpack
        }
        let url = URL(fileURLWithPath: reference)
        switch EntryKind.following(url.path) {
        case .directory:
            var buildpack = try loadFolder(url)
            buildpack.reference = reference
            return buildpack
        case .file where isArchive(reference):
            let name = url.lastPathComponent.replacingOccurrences(of: ".tar.gz", with: "").replacingOccurrences(of: ".tgz", with: "")
            let target = scratch.appendingPathComponent(name.isEmpty ? "buildpack" : name)
            do {
                try fileManager.createDirectory(at: target, withIntermediateDirectories: true)
            } catch {
                throw DetectError.invalidBuildpack(file: reference, line: nil, message: "cannot create \(target.path) to unpack it into: \(error.localizedDescription).")
            }
            do {
                try SlugReader.extractArchive(url, into: target, stripAppPrefix: false, limit: expansionLimit)
            } catch let .archiveTooLarge(_, limit) {
                throw DetectError.invalidBuildpack(
                    file: reference, line: nil,
                    message: "the archive expands to more than \(ByteCount.format(limit)) when unpacked, so slugc stopped unpacking it: a buildpack is scripts, not data. Remove what it does not need, or raise the limit with --max-unpacked-size (or SLUGC_MAX_UNPACKED_SIZE).")
            } catch {
                throw DetectError.invalidBuildpack(file: reference, line: nil, message: "the archive cannot be unpacked (\(error)): pass a gzip-compressed tar of a buildpack folder.")
            }
            guard let root = buildpackRoot(in: target) else {
                let names = ((try? fileManager.contentsOfDirectory(atPath: target.path)) ?? []).sorted()
                let holds = names.isEmpty ? "it is empty" : "its top level holds " + names.prefix(5).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 5 ? " and \(names.count - 5) more" : "")
                throw DetectError.invalidBuildpack(
                    file: reference, line: nil,
                    message: "the archive holds no buildpack: neither its top level nor a single folder in it has bin/compile or buildpack.yml (\(holds)). Make it from inside the buildpack's folder, e.g. tar czf \(url.lastPathComponent) -C mybuildpack .")
            }
            do {
                var buildpack = try loadFolder(root)
                buildpack.reference = reference
                return buildpack
            } catch let .invalidBuildpack(file, line, message) {
                // The folder it was unpacked into is gone by the time anyone reads this.
                let unpacked = root.path
                func named(_ text: String) -> String { text.replacingOccurrences(of: unpacked, with: reference) }
                throw DetectError.invalidBuildpack(file: named(file), line: line, message: named(message))
            }
        default:
            let available = (try? load(from: directory).map(\.id))
                ?? ((try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? []).filter {
                    EntryKind.following(directory.appendingPathComponent($0).path) == .directory
                }.sorted()
            throw DetectError.unknownBuildpack(reference: reference, available: available)
        }
    }

    static func isArchive(_ reference: String) -> Bool {
        reference.hasSuffix(".tgz") || reference.hasSuffix(".tar.gz")
    }

    /// Where the buildpack is in an unpacked archive: the top level when it holds `bin/compile`
    /// or `buildpack.yml` (`tar czf bp.tgz -C mybuildpack .`), else its only folder when that
    /// does (`tar czf bp.tgz mybuildpack/`). An archive of a buildpack whose only folder is
    /// `bin/` is the first kind, so the top level is asked first.
    static func buildpackRoot(in directory: URL) -> URL? {
        if isBuildpackRoot(directory) { return directory }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path),
              names.count == 1, let only = names.first else { return nil }
        let url = directory.appendingPathComponent(only)
        return EntryKind.of(url.path) == .directory && isBuildpackRoot(url) ? url : nil
    }

    private static func isBuildpackRoot(_ folder: URL) -> Bool {
        EntryKind.of(folder.appendingPathComponent("buildpack.yml").path) == .file
            || EntryKind.of(folder.appendingPathComponent("bin/compile").path) == .file
    }
}
