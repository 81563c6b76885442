import Foundation

/// An app's `Procfile`: process types and their commands, with Heroku's acceptance rules
/// but nothing ignored silently — every skipped line and duplicate becomes a warning.
public struct Procfile: Sendable, Equatable {
    public var processTypes: ProcessTypes
    public var warnings: [BuildWarning]

    /// Parses Procfile text. `file` names it in warnings and errors ("Procfile").
    ///
    /// Lines are `type: command` with type `[A-Za-z0-9_-]+`; CRLF is accepted; blank lines and
    /// `#` comments are skipped; a duplicate type warns and the last one wins; an empty command
    /// is an error, since the process could never start.
    public static func parse(_ text: String, file: String = "Procfile") throws(ProcfileError) -> Procfile {
        var types = ProcessTypes()
        var warnings: [BuildWarning] = []
        var firstLine: [String: Int] = [:]
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                warnings.append(BuildWarning(file: file, line: number, message: "ignored line \"\(line)\": a process type line looks like \"web: command\"."))
                continue
            }
            let type = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let command = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            guard isValidTypeName(type) else {
                warnings.append(BuildWarning(file: file, line: number, message: "ignored line \"\(line)\": process type \"\(type)\" may use only letters, digits, \"-\" and \"_\" (at most 128)."))
                continue
            }
            guard !command.isEmpty else {
                throw .emptyCommand(file: file, line: number, type: type)
            }
            if let first = firstLine[type] {
                warnings.append(BuildWarning(file: file, line: number, message: "process type \"\(type)\" is declared again (first on line \(first)); the command on line \(number) wins."))
            } else {
                firstLine[type] = number
            }
            types[type] = command
        }
        return Procfile(processTypes: types, warnings: warnings)
    }

    /// Reads `<directory>/Procfile`; nil when the app has none. A symlink out of the app is refused.
    public static func load(in directory: URL) throws(ProcfileError) -> Procfile? {
        let data: Data
        switch AppFile.read("Procfile", in: directory) {
        case .missing: return nil
        case .notAFile: throw .unreadable(file: "Procfile", reason: "it is not a regular file (a folder, a FIFO or a device)")
        case let .leavesFolder(target): throw .leavesApp(file: "Procfile", target: target)
        case let .unreadable(reason): throw .unreadable(file: "Procfile", reason: reason)
        case let .contents(contents): data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: "Procfile", reason: "it is not UTF-8 text")
        }
        return try parse(text)
    }

    /// Process type names as Heroku's Platform API accepts them: `^[-\w]{1,128}$`.
    public static func isValidTypeName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 128
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_") }
    }
}

/// A Procfile that cannot be used (exit 40).
public enum ProcfileError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyCommand(file: String, line: Int, type: String)
    case unreadable(file: String, reason: String)
    /// A symlink whose target is outside the app: never followed.
    case leavesApp(file: String, target: String)

    public var description: String {
        switch self {
        case let .emptyCommand(file, line, type):
            return "\(file):\(line): process type \"\(type)\" has no command. Write the command after the colon, e.g. \"\(type): ./bin/start\", or remove the line."
        case let .unreadable(file, reason):
            return "\(file): cannot be read: \(reason). The Procfile must be a UTF-8 text file at the app root."
        case let .leavesApp(file, target):
            return AppFile.leavesFolderMessage(file, target: target)
        }
    }
}
