import Foundation

/// Why the kernel would not run a program, found by reading the file itself: the spawn error
/// alone (ENOENT, ENOEXEC) cannot tell a missing interpreter from a `#!` line with a CR in it.
public enum StartFailure: Sendable, Equatable, CustomStringConvertible {
    /// The program itself does not exist.
    case missingProgram(path: String)
    /// It exists but may not be executed.
    case notExecutable(path: String)
    /// The `#!` line ends in CR: the file has Windows line endings, and the kernel looks for
    /// an interpreter whose name ends in CR.
    case carriageReturn(line: String)
    /// The interpreter the `#!` line names does not exist.
    case missingInterpreter(interpreter: String)
    /// The interpreter exists but may not be executed.
    case interpreterNotExecutable(interpreter: String)
    /// Neither an executable format the kernel knows nor a script with a `#!` line.
    case notAProgram
    /// Anything else, in the system's words.
    case other(reason: String)

    public var description: String {
        switch self {
        case let .missingProgram(path):
            return "\(path) does not exist"
        case let .notExecutable(path):
            return "\(path) is not executable: run chmod +x on it"
        case let .carriageReturn(line):
            return "its #! line (\(line)) ends in a carriage return (CRLF line endings): convert with dos2unix"
        case let .missingInterpreter(interpreter):
            return "its #! line names \(interpreter), which this stack does not have: install it, or change the #! line"
        case let .interpreterNotExecutable(interpreter):
            return "its #! line names \(interpreter), which is not executable"
        case .notAProgram:
            return "it is neither a program nor a script that starts with a #! line: add one, e.g. #!/usr/bin/env bash"
        case let .other(reason):
            return reason
        }
    }

    /// The same failure with every path under `folder` shown under `shown` instead: a script
    /// runs from a copy in slugc's temporary build folder, which is gone by the time anyone
    /// reads the message, so messages name the buildpack the user gave.
    public func naming(_ folder: String, as shown: String) -> StartFailure {
        func named(_ path: String) -> String {
            path == folder ? shown : path.hasPrefix(folder + "/") ? shown + path.dropFirst(folder.count) : path
        }
        switch self {
        case let .missingProgram(path): return .missingProgram(path: named(path))
        case let .notExecutable(path): return .notExecutable(path: named(path))
        case let .missingInterpreter(interpreter): return .missingInterpreter(interpreter: named(interpreter))
        case let .interpreterNotExecutable(interpreter): return .interpreterNotExecutable(interpreter: named(interpreter))
        case let .other(reason): return .other(reason: reason.replacingOccurrences(of: folder + "/", with: shown + "/"))
        case .carriageReturn, .notAProgram: return self
        }
    }

    /// Reads `path` to say why it could not be started; `fallback` (the spawn error) is the
    /// answer when the file looks startable.
    public static func diagnose(_ path: String, fallback: String) -> StartFailure {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missingProgram(path: path) }
        guard access(path, X_OK) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return .notExecutable(path: path) }
        guard let handle = FileHandle(forReadingAtPath: path) else { return .other(reason: fallback) }
        defer { try? handle.close() }
        // The kernel reads at most 256 bytes of a #! line.
        let head = [UInt8]((try? handle.read(upToCount: 256)) ?? Data())
        if head.starts(with: [0x7F, 0x45, 0x4C, 0x46]) { return .other(reason: fallback) }  // ELF: the loader's problem
        guard head.starts(with: [0x23, 0x21]) else { return .notAProgram }
        let lineBytes = head.prefix { $0 != 0x0A }
        let line = String(decoding: lineBytes, as: UTF8.self)
        // `#!/bin/bash\r`, or `#!/usr/bin/env bash\r`: the CR ends up in the last word.
        if lineBytes.last == 0x0D {
            return .carriageReturn(line: String(line.dropLast()))
        }
        let words = line.dropFirst(2).split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let interpreter = words.first.map(String.init) else { return .notAProgram }
        guard stat(interpreter, &info) == 0 else { return .missingInterpreter(interpreter: interpreter) }
        guard access(interpreter, X_OK) == 0 else { return .interpreterNotExecutable(interpreter: interpreter) }
        return .other(reason: fallback)
    }
}
