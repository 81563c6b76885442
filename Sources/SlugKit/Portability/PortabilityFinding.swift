/// Something in a slug that would not travel to a dyno: a path that points outside the slug,
/// or the build folder's path written into a file. Found by `PortabilityCheck`; `inspect`
/// lists them and `build` reports each as a warning.
public struct PortabilityFinding: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        /// A symlink whose target leaves the slug.
        case symlink
        /// An ELF program whose interpreter (dynamic loader) is not the run image's.
        case elfInterpreter = "elf-interpreter"
        /// An ELF file with an RPATH or RUNPATH entry outside the slug and the system's library folders.
        case elfRpath = "elf-rpath"
        /// An executable script whose `#!` line names an interpreter the run image does not have.
        case shebang
        /// A file holding the path of the folder it was built in.
        case buildPath = "build-path"
    }

    /// Where the finding is, relative to the app root (`bin/python`), as `inspect` shows paths.
    public var path: String
    public var kind: Kind
    /// The offending path: the symlink's target, the interpreter, the RPATH entry, or the build folder.
    public var target: String
    /// A full sentence that says what is wrong and what to do.
    public var message: String

    public init(path: String, kind: Kind, target: String, message: String) {
        self.path = path
        self.kind = kind
        self.target = target
        self.message = message
    }

    /// The finding as a build warning: "bin/python: symlink to …".
    public var warning: BuildWarning {
        BuildWarning(file: path, message: message)
    }
}

// Every sentence a user can see about portability is written here, in one place.
extension PortabilityFinding {
    static func absoluteSymlink(at path: String, target: String) -> PortabilityFinding {
        PortabilityFinding(path: path, kind: .symlink, target: target, message:
            "symlink to \(target), outside the slug: a dyno has nothing there. Copy what it points to into the app and link to the copy with a relative path.")
    }

    static func climbingSymlink(at path: String, target: String) -> PortabilityFinding {
        PortabilityFinding(path: path, kind: .symlink, target: target, message:
            "symlink to \(target), which climbs out of the app folder: a dyno has nothing there. Copy what it points to into the app and link to the copy with a relative path.")
    }

    static func elfInterpreter(at path: String, interpreter: String) -> PortabilityFinding {
        PortabilityFinding(path: path, kind: .elfInterpreter, target: interpreter, message:
            "its ELF interpreter is \(interpreter), not the system's: it will not start on a dyno. Link it against the stack's C library, whose loader is in /lib or /lib64.")
    }

    static func elfSearchPath(at path: String, entry: String, field: String) -> PortabilityFinding {
        PortabilityFinding(path: path, kind: .elfRpath, target: entry, message:
            "its \(field) names \(entry), outside the slug: libraries there will not be found on a dyno. Put them in the app and point to them relative to the file, e.g. patchelf --set-rpath '$ORIGIN/../lib'.")
    }

    static func shebang(at path: String, interpreter: String) -> PortabilityFinding {
        let name = interpreter.split(separator: "/").last.map(String.init) ?? interpreter
        return PortabilityFinding(path: path, kind: .shebang, target: interpreter, message:
            "its #! line names \(interpreter), which a dyno does not have: it will not run. Start it with #!/usr/bin/env \(name) and put the interpreter on PATH, or name one under /app/.")
    }

    static func buildPath(at path: String, folder: String) -> PortabilityFinding {
        PortabilityFinding(path: path, kind: .buildPath, target: folder, message:
            "holds the build folder's path \(folder), which is gone once the build ends: the slug runs from /app or wherever it is extracted. Work the path out at run time (from $HOME or the file's own location) instead of writing it at build time.")
    }
}
