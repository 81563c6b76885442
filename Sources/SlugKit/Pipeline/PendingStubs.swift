import Foundation

// TEMPORARY: stand-ins until the slug and detect branches land; deleted at merge.
public enum TreeCopier {
    public static func copy(from source: URL, to destination: URL, excluding: (String, Bool) -> Bool) throws(PackError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: destination, withIntermediateDirectories: true)
            for name in try fm.contentsOfDirectory(atPath: source.path) where !excluding(name, false) {
                try fm.copyItem(at: source.appendingPathComponent(name), to: destination.appendingPathComponent(name))
            }
        } catch { throw .io(path: source.path, reason: "\(error)") }
    }
}
