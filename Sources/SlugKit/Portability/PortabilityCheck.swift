import Foundation

/// Checks a slug, entry by entry, for what would not travel to a dyno (DESIGN.md: "Nothing in
/// it points outside it"): symlinks out of the app, ELF interpreters and RPATH/RUNPATH entries
/// outside the app and the system's library folders, `#!` lines naming a build machine's
/// interpreter, and files holding the build folder's path. `RunImagePaths` has the exact rule.
///
/// It is fed by whatever already goes over every entry once, so checking costs no extra read:
/// the pack walk (`PackOptions.portability`, for `build` and `pack`) and the survey of a slug
/// (`SlugReader.survey`, for `inspect`). Findings come out in the order the entries came.
public struct PortabilityCheck: Sendable {
    private let searches: [BuildPathSearch]
    /// What was found so far, in the order the entries came.
    public private(set) var findings: [PortabilityFinding] = []

    /// Checks against the folder the files were built in, when it is known (`build` knows its
    /// workspace's `app/`); otherwise against any folder a slugc build makes
    /// (`…/slugc-build-XXXXXX/app`), which is all a slug alone can tell.
    public init(buildFolder: String? = nil) {
        if let buildFolder, !buildFolder.isEmpty {
            searches = [BuildPathSearch(exactly: buildFolder)]
        } else {
            searches = [BuildPathSearch.slugcBuildFolder]
        }
    }

    /// A symlink at `path` (relative to the app root) pointing to `target`, exactly as stored.
    mutating func checkSymlink(at path: String, target: String) {
        if let parts = RunImagePaths.components(ofAbsolute: target) {
            if !RunImagePaths.symlinkTargetTravels(parts) { findings.append(.absoluteSymlink(at: path, target: target)) }
        } else if !target.isEmpty, !RunImagePaths.relativeTargetStaysInApp(linkAt: path, target: target) {
            findings.append(.climbingSymlink(at: path, target: target))
        }
    }

    /// Starts looking at a regular file at `path` with permission bits `mode` and `size` bytes.
    /// `keepsELF`: keep what is needed of an ELF file from the stream, when it cannot be read
    /// again afterwards.
    func startFile(at path: String, mode: UInt32, size: Int64?, keepsELF: Bool) -> PortableFileScan {
        PortableFileScan(path: path, isExecutable: mode & 0o111 != 0, size: size, keepsELF: keepsELF, searches: searches)
    }

    /// Records what a file's scan found once all its bytes went through it; `elf` is where to
    /// read an ELF file's headers again (the open file, while packing).
    mutating func finish(_ scan: PortableFileScan, elf: (any ELFBytes)? = nil) {
        findings += scan.findings(elf: elf)
    }

    /// A file held in memory (the release metadata added to a slug), checked in one go.
    mutating func checkFile(at path: String, contents: Data, mode: UInt32) {
        var scan = startFile(at: path, mode: mode, size: Int64(contents.count), keepsELF: true)
        contents.withUnsafeBytes { scan.consume($0) }
        finish(scan)
    }
}
