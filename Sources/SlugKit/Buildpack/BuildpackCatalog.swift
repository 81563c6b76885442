import Foundation

/// Finds buildpacks: the built-in ones in detection order, and one named by `--buildpack`.
public enum BuildpackCatalog {
    /// The buildpacks in `directory`, in the order `directory/order.yml` gives.
    public static func load(from directory: URL) throws(DetectError) -> [Buildpack] {
        throw DetectError.invalidBuildpack(file: directory.appendingPathComponent("order.yml").path, line: nil, message: "not implemented")
    }

    /// A `--buildpack` reference: a built-in id, a folder, or a `.tgz`/`.tar.gz` archive
    /// (unpacked into `scratch`).
    public static func resolve(_ reference: String, builtIn directory: URL, scratch: URL) throws(DetectError) -> Buildpack {
        throw DetectError.unknownBuildpack(reference: reference, available: [])
    }
}
