import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// The files slugc reads from an app are never read through a symlink that leaves it.
final class AppFileTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var app: URL { temporary.appending("app") }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-appfile")
        try FileManager.default.createDirectory(at: app.appendingPathComponent("config"), withIntermediateDirectories: true)
        try Data("web: ./serve\n".utf8).write(to: app.appendingPathComponent("config/Procfile"))
        try Data("secret\n".utf8).write(to: temporary.appending("outside.txt"))
    }

    override func tearDown() { temporary.remove() }

    private func link(_ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: app.appendingPathComponent(name).path, withDestinationPath: target)
    }

    func testFilesAndLinksInsideAreRead() throws {
        XCTAssertEqual(AppFile.read("config/Procfile", in: app), .contents(Data("web: ./serve\n".utf8)))
        try link("Procfile", to: "config/Procfile")
        XCTAssertEqual(AppFile.read("Procfile", in: app), .contents(Data("web: ./serve\n".utf8)))
        // A link to a link inside is still inside.
        try link("Procfile2", to: "Procfile")
        XCTAssertEqual(AppFile.read("Procfile2", in: app), .contents(Data("web: ./serve\n".utf8)))
        XCTAssertEqual(AppFile.read("nothing", in: app), .missing)
        XCTAssertEqual(AppFile.read("config", in: app), .notAFile)
    }

    func testLinksLeavingTheAppAreNotFollowed() throws {
        try link("absolute", to: temporary.appending("outside.txt").path)
        try link("relative", to: "../outside.txt")
        try link("twice", to: "relative")
        try link("gone", to: "../no-such-file")
        try link("dangling", to: "config/no-such-file")
        XCTAssertEqual(AppFile.read("absolute", in: app), .leavesFolder(target: temporary.appending("outside.txt").path))
        XCTAssertEqual(AppFile.read("relative", in: app), .leavesFolder(target: "../outside.txt"))
        XCTAssertEqual(AppFile.read("twice", in: app), .leavesFolder(target: "relative"))
        XCTAssertEqual(AppFile.read("gone", in: app), .leavesFolder(target: "../no-such-file"))
        XCTAssertEqual(AppFile.read("dangling", in: app), .missing)
    }

    func testAFolderOnTheWayThatLeavesTheAppCounts() throws {
        try FileManager.default.createDirectory(at: temporary.appending("elsewhere"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: temporary.appending("elsewhere/release.json"))
        try link(".slugc", to: temporary.appending("elsewhere").path)
        guard case .leavesFolder = AppFile.read(".slugc/release.json", in: app) else {
            return XCTFail("read through a folder link out of the app: \(AppFile.read(".slugc/release.json", in: app))")
        }
    }

    func testAFIFOIsNotOpened() throws {
        XCTAssertEqual(mkfifo(app.appendingPathComponent("Procfile").path, 0o600), 0)
        // Opening a FIFO for reading would block until a writer came; it is refused instead.
        XCTAssertEqual(AppFile.read("Procfile", in: app), .notAFile)
    }
}
