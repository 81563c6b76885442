import Foundation
import SlugTestSupport
import XCTest

/// Sources from http(s) URLs and slugs PUT to signed URLs, against a local server; and the
/// JSON log a CI job or deploy server parses.
final class SourceURLTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var server: TestHTTPServer!
    private var scratch: URL { temporary.appending("tmp") }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-url")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        server = try TestHTTPServer(root: temporary.appending("server"))
        let archive = temporary.appending("site.tgz")
        try tarball(of: try fixture("static-site", in: temporary), at: archive)
        try server.serve(archive, as: "site.tgz")
    }

    override func tearDown() {
        server?.stop()
        temporary?.remove()
    }

    private func build(_ arguments: [String]) throws -> CommandResult {
        try slugc(["build"] + arguments, environment: ["TMPDIR": scratch.path])
    }

    func testAURLBuildsAndRedirectsAreFollowed() throws {
        for path in ["files/site.tgz", "redirect/site.tgz"] {
            let slug = temporary.appending("slug.tgz")
            let result = try build([server.url(path) + "?X-Amz-Signature=secret", "-o", slug.path])
            XCTAssertEqual(result.exitCode, 0, "\(path): \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("       Downloading \(server.url(path))?…\n"), result.stdout)
            XCTAssertFalse(result.output.contains("secret"), "the signed URL's query reached the log")
            XCTAssertTrue(try tarListing(slug).contains("./app/index.html"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testFailedDownloadsSayWhatHappened() throws {
        let missing = try build([server.url("files/nope.tgz") + "?token=secret", "-o", temporary.appending("slug.tgz").path])
        XCTAssertEqual(missing.exitCode, 64)
        XCTAssertEqual(missing.stderr, " !     \(server.url("files/nope.tgz"))?…: the server answered HTTP 404 Not Found, so there is no source to build. Check the URL (a signed URL may have expired) and that it names a tarball.\n")
        let failing = try build([server.url("status/503"), "-o", temporary.appending("slug.tgz").path])
        XCTAssertEqual(failing.exitCode, 64)
        XCTAssertEqual(failing.stderr, " !     \(server.url("status/503")): the server answered HTTP 503 Service Unavailable: it failed, not the request. Try again later.\n")
        let closed = "http://127.0.0.1:\(freePort())/app.tgz"
        let unreachable = try build([closed, "-o", temporary.appending("slug.tgz").path])
        XCTAssertEqual(unreachable.exitCode, 64)
        XCTAssertTrue(unreachable.stderr.hasPrefix(" !     \(closed): cannot download: Failed to connect to 127.0.0.1 port "), unreachable.stderr)
        XCTAssertTrue(unreachable.stderr.hasSuffix(". Check the host name, the network and any proxy (HTTPS_PROXY).\n"), unreachable.stderr)
        let ftp = try build(["ftp://example.com/app.tgz", "-o", temporary.appending("slug.tgz").path])
        XCTAssertEqual(ftp.exitCode, 64)
        XCTAssertEqual(ftp.stderr, " !     ftp://example.com/app.tgz: slugc downloads only http:// and https:// URLs of tarballs. Download it yourself and give the file, or clone a git repository and build it with --git-ref.\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testUploadStoresTheExactBytesAndPrintsSizeAndChecksum() throws {
        let slug = temporary.appending("slug.tgz")
        let result = try build([server.url("files/site.tgz"), "-o", slug.path, "--upload", server.url("uploads/app.tgz") + "?X-Amz-Signature=secret"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let written = try Data(contentsOf: slug)
        XCTAssertEqual(server.uploaded("app.tgz"), written)
        let inspected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try slugc(["inspect", slug.path, "--json"]).stdout.utf8)) as? [String: Any])
        XCTAssertTrue(result.stdout.contains("-----> Uploading the slug to \(server.url("uploads/app.tgz"))?…\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("       Uploaded \(written.count) bytes (\(formatSize(written.count))), checksum \(inspected["checksum"] as? String ?? "?"): HTTP 201\n"), result.stdout)
        XCTAssertFalse(result.output.contains("secret"))

        // Upload only: no -o, nothing left behind; a 503 is tried again.
        let flaky = try build([server.url("files/site.tgz"), "--upload", server.url("flaky/1/only.tgz")])
        XCTAssertEqual(flaky.exitCode, 0, flaky.stderr)
        XCTAssertTrue(flaky.stdout.contains("       The upload got HTTP 503 Service Unavailable; trying again in 1 s (attempt 2 of 4)\n"), flaky.stdout)
        XCTAssertEqual(server.uploaded("only.tgz"), written, "the same source gives the same slug")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testARefusedUploadExits50WithTheStatus() throws {
        let result = try build([server.url("files/site.tgz"), "--upload", server.url("forbidden/app.tgz") + "?Signature=secret"])
        XCTAssertEqual(result.exitCode, 50, result.stderr)
        XCTAssertEqual(result.stderr, " !     The upload to \(server.url("forbidden/app.tgz"))?… was refused: HTTP 403 Forbidden. The server said: <?xml version=\"1.0\"?> <Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error> A signed URL is made for one PUT of one object and expires: get a new one, then build again.\n")
        let folder = try build([server.url("files/site.tgz"), "--upload", server.url("uploads/")])
        XCTAssertEqual(folder.exitCode, 64)
        XCTAssertEqual(folder.stderr, " !     --upload \(server.url("uploads/")): slugc uploads to an http:// or https:// URL that names the object, such as the blob URL of a Heroku slug or a signed S3 or GCS URL.\n")
        XCTAssertEqual(folder.stdout, "", "the build started before the upload URL was checked")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch.path), [])
    }

    func testTheJSONLogParsesLineByLineInOrderWithEveryStage() throws {
        let slug = temporary.appending("slug.tgz")
        let result = try build([server.url("files/site.tgz"), "-o", slug.path, "--log-format", "json", "--upload", server.url("uploads/log.tgz")])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertEqual(result.stdout, "", "--log-format json writes the log to stderr")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let entries = try lines.map { line in
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
        }
        for entry in entries {
            XCTAssertEqual(Set(entry.keys).intersection(["time", "stage", "buildpack", "stream", "level", "text"]).count, 6, "\(entry)")
        }
        let times = entries.compactMap { $0["time"] as? String }
        XCTAssertEqual(times.count, entries.count)
        XCTAssertEqual(times, times.sorted(), "entries are not in time order")
        let started = entries.filter { $0["event"] as? String == "stage_started" }.compactMap { $0["stage"] as? String }
        let finished = entries.filter { $0["event"] as? String == "stage_finished" }
        XCTAssertEqual(started, ["copy", "detect", "compile", "release", "pack", "upload"])
        XCTAssertEqual(finished.compactMap { $0["stage"] as? String }, started)
        XCTAssertTrue(finished.allSatisfy { ($0["duration_seconds"] as? Double ?? -1) >= 0 })
        XCTAssertTrue(entries.contains { $0["event"] as? String == "step" && $0["text"] as? String == "Static HTML app detected" && $0["stage"] as? String == "detect" })
        XCTAssertTrue(entries.contains { $0["event"] as? String == "pack_progress" && $0["stage"] as? String == "pack" && $0["bytes_out"] is Int })
        XCTAssertTrue(entries.contains { $0["event"] as? String == "buildpack_finished" && $0["buildpack"] as? String == "static"
                && $0["stage"] as? String == "compile" && $0["duration_seconds"] is Double })
        XCTAssertEqual(entries.dropLast().last?["text"] as? String, "Size: \(formatSize(try Data(contentsOf: slug).count)), checksum \(try slugChecksum(slug))")
        XCTAssertTrue((entries.last?["text"] as? String)?.hasPrefix("Built in ") ?? false, "\(entries.last ?? [:])")

        // A failure is JSON too, with level "error".
        let failed = try build([server.url("files/nope.tgz"), "-o", slug.path, "--log-format", "json"])
        XCTAssertEqual(failed.exitCode, 64)
        let last = try XCTUnwrap(JSONSerialization.jsonObject(with: Data((failed.stderr.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        XCTAssertEqual(last["level"] as? String, "error")
        XCTAssertEqual(last["stage"] as? String, "copy")
        XCTAssertTrue((last["text"] as? String ?? "").hasPrefix("\(server.url("files/nope.tgz")): the server answered HTTP 404"), "\(last)")
    }

    private func formatSize(_ bytes: Int) -> String {
        bytes < 1024 ? "\(bytes)B" : String(format: "%.1fK", Double(bytes) / 1024)
    }

    private func slugChecksum(_ slug: URL) throws -> String {
        let inspected = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try slugc(["inspect", slug.path, "--json"]).stdout.utf8)) as? [String: Any])
        return try XCTUnwrap(inspected["checksum"] as? String)
    }
}
