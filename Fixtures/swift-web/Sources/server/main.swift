#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

// Answers every request with one line naming the port, so a test can tell it is this server.
let port = Int(getenv("PORT").map { String(cString: $0) } ?? "") ?? 5000
let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
guard listener >= 0 else { fatalError("socket() failed") }
var yes: Int32 = 1
setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))

var address = sockaddr_in()
address.sin_family = sa_family_t(AF_INET)
address.sin_port = in_port_t(UInt16(port).bigEndian)
address.sin_addr.s_addr = INADDR_ANY
let bound = withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
}
guard bound == 0, listen(listener, 16) == 0 else { fatalError("cannot listen on port \(port)") }
print("server listening on port \(port)")
fflush(stdout)

while true {
    let client = accept(listener, nil, nil)
    if client < 0 { continue }
    var request = [UInt8](repeating: 0, count: 4096)
    _ = recv(client, &request, request.count, 0)
    let body = "Hello from plain Swift on port \(port)\n"
    let response = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    _ = response.withCString { send(client, $0, strlen($0), 0) }
    close(client)
}
