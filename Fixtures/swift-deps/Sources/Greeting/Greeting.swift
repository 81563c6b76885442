/// The sentence `greet` prints; kept in its own module so a change here recompiles only this module.
public func greeting(for name: String) -> String {
    "Hello, \(name), from a Swift package with a dependency!"
}
