import Foundation
import SlugKit
import SlugTestSupport
import XCTest

/// A setup step of the static buildpack tests failed; the message says which.
struct StaticHarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The static buildpack's folder in this checkout.
var staticBuildpack: URL { builtInBuildpacks.appendingPathComponent("static") }

/// Runs `bin/compile BUILD_DIR CACHE_DIR ENV_DIR` with Heroku's API on `buildDir`, with a fresh
/// cache and an empty env dir inside `temporary`.
func compileStaticSite(_ buildDir: URL, in temporary: TemporaryDirectory) throws -> CommandResult {
    let cache = temporary.appending("cache-\(UUID().uuidString.prefix(6))")
    let env = temporary.appending("env-\(UUID().uuidString.prefix(6))")
    try FileManager.default.createDirectory(at: env, withIntermediateDirectories: true)
    return try runCommand(staticBuildpack.appendingPathComponent("bin/compile").path,
                          [buildDir.path, cache.path, env.path],
                          environment: ["STACK": "heroku-24", "LANG": "en_US.UTF-8"])
}

/// The `web` command the buildpack declares in `buildpack.yml`.
func staticWebCommand() throws -> String {
    let manifest = try YAML.load(contentsOf: staticBuildpack.appendingPathComponent("buildpack.yml"))
    guard let command = manifest?["process_types"]?["web"]?.string else {
        throw StaticHarnessError("Buildpacks/static/buildpack.yml declares no web process type")
    }
    return command
}

/// A compiled static site served the way a dyno runs it: cwd and HOME are the app folder,
/// `.profile.d/*.sh` sourced, then the buildpack's `web` command under bash with PORT set.
final class StaticSiteDyno {
    let temporary: TemporaryDirectory
    let app: URL
    let port: Int
    let compileResult: CommandResult
    let logFile: URL
    private let process = Process()

    /// Copies `fixture`, lets `prepare` change the copy, compiles it (which must succeed) and boots it.
    init(fixture name: String, prepare: (URL) throws -> Void = { _ in }) throws {
        temporary = try TemporaryDirectory(prefix: "slugc-static")
        port = freePort()
        logFile = temporary.appending("web.log")
        do {
            app = try fixture(name, in: temporary)
            try prepare(app)
            compileResult = try compileStaticSite(app, in: temporary)
            guard compileResult.exitCode == 0 else {
                throw StaticHarnessError("bin/compile failed: \(compileResult.stdout)\(compileResult.stderr)")
            }
        } catch {
            temporary.remove()
            throw error
        }
        do {
            try boot()
        } catch {
            shutDown()
            throw error
        }
    }

    private func boot() throws {
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        let script = """
            cd "$APP_DIR" && export HOME="$APP_DIR" PORT=\(port) && unset APP_DIR
            for f in .profile.d/*.sh; do [ -f "$f" ] && . "$f"; done
            exec \(try staticWebCommand())
            """
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        var environment = ProcessInfo.processInfo.environment
        environment["APP_DIR"] = app.path
        process.environment = environment
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            guard process.isRunning else { throw StaticHarnessError("the web process exited at boot: \(self.log)") }
            if (try? httpGet(port: port, path: "/")) != nil { return }
            usleep(50_000)
        }
        throw StaticHarnessError("nothing answered on port \(port) within 15 s: \(self.log)")
    }

    /// Sends SIGTERM and waits (up to 10 s, then SIGKILL); returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard process.processIdentifier != 0 else { return -1 }  // never started
        guard process.isRunning else { return process.terminationStatus }
        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Stops the server and removes the temporary folder; call from tearDown.
    func shutDown() {
        stop()
        temporary.remove()
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPResponse {
        try httpGet(port: port, path: path, headers: headers)
    }

    /// A HEAD request: the status line and headers, and whatever bytes followed them (none expected).
    func head(_ path: String) throws -> (status: Int, headers: [String: String], trailing: Int) {
        let raw = try rawHTTP(port: port, request: "HEAD \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        guard let split = raw.range(of: Data("\r\n\r\n".utf8)) else { throw StaticHarnessError("no HTTP response to HEAD") }
        let head = String(decoding: raw[..<split.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0, fields, raw.count - split.upperBound)
    }
}

/// Sends `request` as is to 127.0.0.1:`port` and returns every byte of the reply.
func rawHTTP(port: Int, request: String) throws -> Data {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw StaticHarnessError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw StaticHarnessError("connect to port \(port) failed") }
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { break }
        data.append(buffer, count: count)
    }
    return data
}

/// Every regular file under `folder` whose bytes contain `needle` (relative paths).
func files(in folder: URL, containing needle: String) -> [String] {
    let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
    var hits: [String] = []
    while let url = enumerator?.nextObject() as? URL {
        guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
              let data = try? Data(contentsOf: url), data.range(of: Data(needle.utf8)) != nil else { continue }
        hits.append(String(url.path.dropFirst(folder.path.count + 1)))
    }
    return hits
}

/// Sends `count` GETs of `path` one after another on one HTTP/1.1 keep-alive connection and
/// returns their statuses; each response is read to its Content-Length before the next request.
func keepAliveGets(port: Int, path: String, count: Int) throws -> [Int] {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw StaticHarnessError("socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw StaticHarnessError("connect to port \(port) failed") }
    var statuses: [Int] = []
    var pending = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    for _ in 0..<count {
        let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var needed: Int?
        while true {
            if let split = pending.range(of: Data("\r\n\r\n".utf8)) {
                let head = String(decoding: pending[..<split.lowerBound], as: UTF8.self)
                let length = head.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                needed = split.upperBound - pending.startIndex + length
                if let needed, pending.count >= needed {
                    statuses.append(Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0)
                    pending = Data(pending.dropFirst(needed))
                    break
                }
            }
            let received = recv(fd, &buffer, buffer.count, 0)
            guard received > 0 else { throw StaticHarnessError("connection closed after \(statuses.count) responses") }
            pending.append(buffer, count: received)
        }
    }
    return statuses
}
