import Foundation
import SlugKit
import SlugTestSupport
import XCTest

/// The static buildpack's folder in this checkout.
var staticBuildpack: URL { builtInBuildpack("static") }

/// Compiles `buildDir` with the static buildpack on the heroku-24 stack, with a fresh cache
/// and no config vars inside `temporary`.
func compileStaticSite(_ buildDir: URL, in temporary: TemporaryDirectory) throws -> CommandResult {
    try compileWithBuildpack(staticBuildpack, build: buildDir, cache: temporary.appending("cache-\(UUID().uuidString.prefix(6))"),
                             environment: ["STACK": "heroku-24", "LANG": "en_US.UTF-8"])
}

/// The `web` command the buildpack declares in `buildpack.yml`.
func staticWebCommand() throws -> String {
    let manifest = try YAML.load(contentsOf: staticBuildpack.appendingPathComponent("buildpack.yml"))
    guard let command = manifest?["process_types"]?["web"]?.string else {
        throw FixtureError(message: "Buildpacks/static/buildpack.yml declares no web process type")
    }
    return command
}

/// The run image the static sites boot in (`runImage()`), or nil to boot them on this machine
/// where that would skip the test (no SLUGC_TEST_RUN_IMAGE outside CI): the HTTP tests still run.
func staticRunImage() throws -> URL? {
    do {
        return try runImage()
    } catch is XCTSkip {
        return nil
    }
}

/// Packs the built app folder `app` as a slug with `slugc pack` and boots `command` from it with
/// `slugc run --root image`, as the web process (PORT set, output in the log).
func startInRunImage(_ app: URL, command: String, image: URL, slug: URL, port: Int = freePort(),
                     environment: [String: String] = [:]) throws -> RunningApp {
    let packed = try slugc(["pack", app.path, "-o", slug.path])
    guard packed.exitCode == 0 else { throw FixtureError(message: "slugc pack failed: \(packed.stderr)") }
    var arguments = ["run", slug.path, "--port", String(port), "--root", image.path]
    for (key, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["--env", "\(key)=\(value)"] }
    return try RunningApp(executable: slugcExecutable.path, arguments + ["--", "bash", "-c", command], port: port)
}

/// The app's own output from a log that starts with slugc run's "-----> Running …" line.
func appOutput(_ log: String) -> String {
    guard log.hasPrefix("-----> Running "), let newline = log.firstIndex(of: "\n") else { return log }
    return String(log[log.index(after: newline)...])
}

/// A fixture compiled by the static buildpack and served by its `web` command, answering HTTP
/// before `init` returns; `shutDown()` stops it and removes its folder. With a run image
/// (SLUGC_TEST_RUN_IMAGE), the compiled folder is packed as a slug and booted by `slugc run --root`
/// in that bare image, so every test proves the slug needs nothing from this machine; without
/// one, the folder is booted here as a dyno would.
final class StaticSiteDyno {
    let temporary: TemporaryDirectory
    let app: URL
    let compileResult: CommandResult
    private var server: RunningApp?

    /// Copies `fixture`, lets `prepare` change the copy, compiles it (which must succeed) and
    /// boots it with `environment` (config vars) added.
    init(fixture name: String, environment: [String: String] = [:], prepare: (URL) throws -> Void = { _ in }) throws {
        temporary = try TemporaryDirectory(prefix: "slugc-static")
        do {
            app = try fixture(name, in: temporary)
            try prepare(app)
            compileResult = try compileStaticSite(app, in: temporary)
            guard compileResult.succeeded else {
                throw FixtureError(message: "bin/compile failed: \(compileResult.output)")
            }
        } catch {
            temporary.remove()
            throw error
        }
        do {
            try boot(environment: environment)
        } catch {
            shutDown()
            throw error
        }
    }

    private func boot(environment: [String: String]) throws {
        let command = try staticWebCommand()
        let server: RunningApp
        if let image = try staticRunImage() {
            server = try startInRunImage(app, command: command, image: image, slug: temporary.appending("site.tgz"),
                                         environment: environment)
        } else {
            server = try startDyno(in: app, command: command, environment: environment)
        }
        self.server = server
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            guard server.process.isRunning else { throw FixtureError(message: "the web process exited at boot: \(log)") }
            if (try? httpGet(port: server.port, path: "/")) != nil { return }
            usleep(50_000)
        }
        throw FixtureError(message: "nothing answered on port \(server.port) within 20 s: \(log)")
    }

    /// The port the server listens on.
    var port: Int { server?.port ?? 0 }

    /// What the server printed so far (without slugc run's own first line).
    var log: String { appOutput(server?.output ?? "") }

    /// Sends SIGTERM and waits (up to 10 s, then SIGKILL); returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let server else { return -1 }  // never started
        server.stop()
        return server.process.terminationStatus
    }

    /// Stops the server and removes the temporary folder; call from tearDown.
    func shutDown() {
        stop()
        temporary.remove()
    }

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPResponse {
        try httpGet(port: port, path: path, headers: headers)
    }

    /// A HEAD request: the status line and headers, and whatever bytes followed them (none expected).
    func head(_ path: String) throws -> (status: Int, headers: [String: String], trailing: Int) {
        try httpHead(port: port, path: path)
    }
}

/// A test class that shares one running static site among its tests (booting the server is
/// the slow part). Subclasses say which site with `bootDyno()`; the server stops after the class.
class StaticSiteTestCase: XCTestCase {
    // XCTest runs a class's tests one after another on one thread, so the class-level state of
    // these test classes is never touched concurrently.
    nonisolated(unsafe) private static var running: [ObjectIdentifier: Result<StaticSiteDyno, Error>] = [:]
    var dyno: StaticSiteDyno!

    /// The site this class tests; called once per class.
    class func bootDyno() throws -> StaticSiteDyno {
        throw FixtureError(message: "\(self) must override bootDyno()")
    }

    override class func tearDown() {
        if case let .success(dyno) = StaticSiteTestCase.running.removeValue(forKey: ObjectIdentifier(self)) { dyno.shutDown() }
        super.tearDown()
    }

    override func setUpWithError() throws {
        let key = ObjectIdentifier(type(of: self))
        if StaticSiteTestCase.running[key] == nil {
            StaticSiteTestCase.running[key] = Result { try type(of: self).bootDyno() }
        }
        dyno = try StaticSiteTestCase.running[key]?.get()
    }
}
