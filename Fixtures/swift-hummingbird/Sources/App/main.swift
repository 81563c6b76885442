import Foundation
import Hummingbird

// Heroku's routing layer sends traffic to $PORT on every interface.
let port = ProcessInfo.processInfo.environment["PORT"].flatMap(Int.init) ?? 8080
let router = Router()
router.get("/") { _, _ in "Hello from Hummingbird\n" }
let app = Application(router: router, configuration: .init(address: .hostname("0.0.0.0", port: port)))
try await app.runService()
