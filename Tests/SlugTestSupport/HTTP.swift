import Foundation

/// A port nobody is listening on right now, picked by the kernel.
public func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var bound = address
    _ = withUnsafePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: bound.sin_port))
}

/// A plain HTTP/1.0 response: status, headers (lower-cased names) and body.
public struct HTTPResponse {
    public var status: Int
    public var headers: [String: String]
    public var body: String
}

/// One HTTP GET to 127.0.0.1 over a raw socket, with optional extra headers; no redirects followed.
public func httpGet(port: Int, path: String, headers: [String: String] = [:]) throws -> HTTPResponse {
    var request = "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    request += "\r\n"
    let text = String(decoding: try rawHTTP(port: port, request: request), as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw FixtureError(message: "no HTTP response from port \(port)") }
    let (status, fields) = parseResponseHead(text[..<split.lowerBound])
    return HTTPResponse(status: status, headers: fields, body: String(text[split.upperBound...]))
}

/// A response whose body is kept as bytes (gzip, part of a binary file).
public struct HTTPExchange {
    public var status: Int
    public var headers: [String: String]
    public var body: Data
    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// One HTTP/1.0 request of any method to 127.0.0.1 over a raw socket; `host` replaces the Host
/// header (127.0.0.1:PORT), `body` is sent with its Content-Length. No redirects followed.
public func httpRequest(port: Int, method: String = "GET", path: String, host: String? = nil,
                        headers: [String: String] = [:], body: String? = nil) throws -> HTTPExchange {
    var request = "\(method) \(path) HTTP/1.0\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\nConnection: close\r\n"
    for (name, value) in headers.sorted(by: { $0.key < $1.key }) { request += "\(name): \(value)\r\n" }
    if let body { request += "Content-Length: \(body.utf8.count)\r\n" }
    request += "\r\n" + (body ?? "")
    let raw = try rawHTTP(port: port, request: request)
    guard let split = raw.range(of: Data("\r\n\r\n".utf8)) else { throw FixtureError(message: "no HTTP response from port \(port)") }
    let (status, fields) = parseResponseHead(Substring(String(decoding: raw[..<split.lowerBound], as: UTF8.self)))
    return HTTPExchange(status: status, headers: fields, body: Data(raw[split.upperBound...]))
}

/// A HEAD request: the status and headers, and how many bytes followed them (none expected).
public func httpHead(port: Int, path: String) throws -> (status: Int, headers: [String: String], trailing: Int) {
    let raw = try rawHTTP(port: port, request: "HEAD \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
    guard let split = raw.range(of: Data("\r\n\r\n".utf8)) else { throw FixtureError(message: "no HTTP response to HEAD") }
    let (status, fields) = parseResponseHead(Substring(String(decoding: raw[..<split.lowerBound], as: UTF8.self)))
    return (status, fields, raw.count - split.upperBound)
}

/// Sends `request` as is to 127.0.0.1:`port` and returns every byte of the reply.
public func rawHTTP(port: Int, request: String) throws -> Data {
    let fd = try connectToLocalPort(port)
    defer { close(fd) }
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

/// Sends `count` GETs of `path` one after another on one HTTP/1.1 keep-alive connection and
/// returns their statuses; each response is read to its Content-Length before the next request.
public func keepAliveGets(port: Int, path: String, count: Int) throws -> [Int] {
    let fd = try connectToLocalPort(port)
    defer { close(fd) }
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
            guard received > 0 else { throw FixtureError(message: "connection closed after \(statuses.count) responses") }
            pending.append(buffer, count: received)
        }
    }
    return statuses
}

/// A TCP socket connected to 127.0.0.1:`port`; the caller closes it.
private func connectToLocalPort(_ port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FixtureError(message: "socket() failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else {
        close(fd)
        throw FixtureError(message: "connect to port \(port) failed")
    }
    return fd
}

/// The status code and headers (lower-cased names) of a response head without its blank line.
private func parseResponseHead(_ head: Substring) -> (status: Int, headers: [String: String]) {
    let lines = head.components(separatedBy: "\r\n")
    let statusParts = lines.first?.split(separator: " ") ?? []
    var fields: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return (statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0, fields)
}

/// Retries `httpGet` until the server answers or `seconds` pass (a booting app needs a moment).
public func waitForHTTP(port: Int, path: String = "/", seconds: Double = 30) throws -> HTTPResponse {
    let deadline = Date().addingTimeInterval(seconds)
    var lastError: Error = FixtureError(message: "nothing answered on port \(port)")
    while Date() < deadline {
        do { return try httpGet(port: port, path: path) } catch { lastError = error }
        usleep(100_000)
    }
    throw lastError
}
