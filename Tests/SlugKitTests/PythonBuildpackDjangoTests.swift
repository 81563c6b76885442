import Foundation
import SlugTestSupport
import XCTest

/// Django apps: collectstatic runs at compile time unless DISABLE_COLLECTSTATIC=1, and its
/// failure is a compile error quoting Django.
final class PythonBuildpackDjangoTests: XCTestCase {
    var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "python-django") }
    override func tearDown() { temporary.remove() }

    private func compile(config: [String: String] = [:], edit: (URL) throws -> Void = { _ in }) throws -> (CommandResult, URL) {
        let build = try fixture("python-django", in: temporary)
        try edit(build)
        let result = try compileWithBuildpack(pythonBuildpack, build: build, cache: temporary.appending("cache"),
                                              configVars: offlinePipConfig.merging(config) { $1 })
        return (result, build)
    }

    func testCollectstaticRunsAndTheSiteServesUnderGunicorn() throws {
        let (result, build) = try compile()
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.contains("-----> $ python manage.py collectstatic --noinput\n"), result.stdout)
        XCTAssertEqual(readText(build.appendingPathComponent("staticfiles/css/site.css")), "body { color: #333; }\n")
        XCTAssertEqual(try filesContaining(build.path, under: build), [])
        let app = try startDyno(in: build, command: try procfileWebCommand(of: build))
        defer { app.stop() }
        XCTAssertEqual(try waitForHTTP(port: app.port).body, "Hello from Django in a slug")
    }

    func testDisableCollectstaticSkipsIt() throws {
        let (result, build) = try compile(config: ["DISABLE_COLLECTSTATIC": "1"])
        XCTAssertEqual(result.exitCode, 0, result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("-----> Skipping Django collectstatic: DISABLE_COLLECTSTATIC is set\n"), result.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: build.appendingPathComponent("staticfiles").path))
    }

    func testCollectstaticFailureIsACompileErrorWithDjangosMessage() throws {
        let (result, _) = try compile { build in
            let settings = build.appendingPathComponent("mysite/settings.py")
            let text = try String(contentsOf: settings, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "STATIC_ROOT = BASE_DIR / \"staticfiles\"\n", with: "").utf8).write(to: settings)
        }
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.stdout.hasSuffix("""
             !     Error while running '$ python manage.py collectstatic --noinput' (exit status 1). Django says:
                   django.core.exceptions.ImproperlyConfigured: You're using the staticfiles app without having set the STATIC_ROOT setting to a filesystem path.
             !     Fix the app's static files settings, or set DISABLE_COLLECTSTATIC=1 in the app's config vars to skip this step.

            """), result.stdout)
    }
}
