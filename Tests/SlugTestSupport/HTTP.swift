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
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw FixtureError(message: "socket() failed") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw FixtureError(message: "connect to port \(port) failed") }
    var request = "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    request += "\r\n"
    _ = request.withCString { send(fd, $0, strlen($0), 0) }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        if count <= 0 { break }
        data.append(buffer, count: count)
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw FixtureError(message: "no HTTP response from port \(port)") }
    let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
    let statusParts = head.first?.split(separator: " ") ?? []
    let status = statusParts.count > 1 ? Int(statusParts[1]) ?? 0 : 0
    var fields: [String: String] = [:]
    for line in head.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return HTTPResponse(status: status, headers: fields, body: String(text[split.upperBound...]))
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
