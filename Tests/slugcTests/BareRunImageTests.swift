import Foundation
import SlugTestSupport
import XCTest

/// A slug is the whole app: built here, it boots with `slugc run --root` in the bare run image
/// (Debian with the stack's run-time libraries and no python, swift or compiler), where nothing
/// of the build machine is. The Swift slug is booted there by SwiftEndToEndTests, which builds it.
final class BareRunImageTests: XCTestCase {
    private var temporary: TemporaryDirectory!

    override func setUpWithError() throws { temporary = try TemporaryDirectory(prefix: "slugc-bare-image") }
    override func tearDown() { temporary?.remove() }

    /// `slugc build` of a fixture with the wheelhouse and the machine's interpreters.
    private func build(_ fixtureName: String, buildpack: String? = nil) throws -> URL {
        let app = try fixture(fixtureName, in: temporary)
        let slug = temporary.appending("\(fixtureName).tgz")
        var arguments = ["build", app.path, "-o", slug.path]
        for (key, value) in offlinePipConfig { arguments += ["--env", "\(key)=\(value)"] }
        if let buildpack { arguments += ["--buildpack", buildpack] }
        let built = try slugc(arguments)
        guard built.exitCode == 0 else { throw FixtureError(message: "slugc build \(fixtureName) exited \(built.exitCode): \(built.stderr)") }
        return slug
    }

    /// Boots the slug's web process in the image and returns the first response to `/`.
    private func bootAndGet(_ slug: URL, image: URL) throws -> (HTTPResponse, String) {
        let runTemporary = temporary.appending("run-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: runTemporary, withIntermediateDirectories: true)
        let running = try startSlugcRun(slug, temporaryDirectory: runTemporary, rootFilesystem: image)
        let response: HTTPResponse
        do { response = try running.waitForHTTP(seconds: 60) } catch {
            running.stop()
            throw error
        }
        let log = running.stop()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runTemporary.path), [], "the run folder was left behind")
        return (response, log)
    }

    func testFlaskSlugServesAndItsPythonHasEveryRuntimeModule() throws {
        let image = try runImage()
        let slug = try build("python-flask")
        let (response, log) = try bootAndGet(slug, image: image)
        XCTAssertEqual(response.status, 200, log)
        XCTAssertEqual(response.headers["server"], "gunicorn")
        XCTAssertEqual(response.body, "<h1>Flask blog</h1><p>Hello from a slug</p>")

        let modules = try slugc(["run", slug.path, "--root", image.path, "--",
                                 "python", "-c", "import ssl, sqlite3, ctypes, lzma, bz2, zlib, decimal, uuid, readline, hashlib, sys; print(sys.prefix); print(ssl.OPENSSL_VERSION.split()[0])"])
        XCTAssertEqual(modules.exitCode, 0, modules.stderr)
        XCTAssertEqual(modules.stdout, "/app/.heroku/python\nOpenSSL\n", modules.stderr)
        // The image really has no Python of its own: only the slug's is on PATH.
        let which = try slugc(["run", slug.path, "--root", image.path, "--", "bash", "-c", "command -v python3; ls /usr/bin/python3 2>&1 || true"])
        XCTAssertEqual(which.stdout, "/app/.heroku/python/bin/python3\nls: cannot access '/usr/bin/python3': No such file or directory\n", which.stderr)
        let scripts = try slugc(["run", slug.path, "--root", image.path, "--", "bash", "-c", "cd /tmp && gunicorn --version && blog-hello"])
        XCTAssertEqual(scripts.stdout, "gunicorn (version 27.0.1)\nblog says hello\n", scripts.stderr)
    }

    func testDjangoSlugServesItsCollectedSite() throws {
        let image = try runImage()
        let slug = try build("python-django")
        let (response, log) = try bootAndGet(slug, image: image)
        XCTAssertEqual(response.status, 200, log)
        XCTAssertEqual(response.body, "Hello from Django in a slug")
        let collected = try slugc(["run", slug.path, "--root", image.path, "--", "cat", "staticfiles/css/site.css"])
        XCTAssertEqual(collected.stdout, "body { color: #333; }\n", collected.stderr)
    }

    func testStaticSlugServesWithTheNginxItCarries() throws {
        let image = try runImage()
        let slug = try build("static-site", buildpack: "static")
        let (response, log) = try bootAndGet(slug, image: image)
        XCTAssertEqual(response.status, 200, log)
        XCTAssertTrue(response.headers["server"]?.hasPrefix("nginx") ?? false, "\(response.headers)")
        let which = try slugc(["run", slug.path, "--root", image.path, "--", "bash", "-c", "command -v nginx python3 || echo none on PATH"])
        XCTAssertEqual(which.stdout, "none on PATH\n", which.stderr)
    }
}
