import Foundation
@testable import SlugKit
import SlugTestSupport
import XCTest

/// Each errno with a fix gets it in the sentence, naming the option that moves the place.
final class IOFailureTests: XCTestCase {
    func testAFullFileSystemNamesTheOptionForEachPlace() {
        XCTAssertEqual(IOFailure.reason(ENOSPC, path: "/out/slug.tgz", place: .output),
                       "No space left on device: free space on the file system /out/slug.tgz is on, or point -o at another file system, then run again.")
        XCTAssertEqual(IOFailure.reason(ENOSPC, path: "/var/cache/slugc", place: .cache),
                       "No space left on device: free space on the file system /var/cache/slugc is on, or point --cache-dir at another file system, then run again.")
        XCTAssertEqual(IOFailure.reason(EDQUOT, path: "/tmp/slugc-build-AbC123/app/x", place: .temporary),
                       "Disk quota exceeded: your disk quota on the file system of TMPDIR (/tmp) is used up: free some of it, or point TMPDIR at another file system (slugc builds in a folder there), then run again.")
        XCTAssertEqual(IOFailure.reason(EROFS, path: "/mnt/ro/slug.tgz", place: .output),
                       "Read-only file system: remount it read-write, or point -o at another file system.")
        XCTAssertEqual(IOFailure.code(of: "Too many open files in system"), ENFILE)
    }

    func testPackErrorsSayWhereAndWhatToDo() {
        XCTAssertEqual(PackError.io(path: "/srv/out/slug.tgz", reason: "No space left on device").description,
                       "/srv/out/slug.tgz: No space left on device: free space on the file system /srv/out/slug.tgz is on, or point -o at another file system, then run again.")
        XCTAssertEqual(PackError.io(path: "/tmp/slugc-run-Xy12Z9/app/manage.py", reason: "No space left on device").description,
                       "app/manage.py in slugc's temporary folder in /tmp: No space left on device: free space on the file system of TMPDIR (/tmp), or point TMPDIR at another file system (slugc builds in a folder there), then run again.")
        // Not an error with a known fix: left as the system says it.
        XCTAssertEqual(PackError.io(path: "/srv/app/x", reason: "Input/output error").description, "/srv/app/x: Input/output error")
    }

    func testPermissionDeniedSaysWhoOwnsTheNearestFolder() throws {
        let folder = try TemporaryDirectory(prefix: "slugc-io-failure")
        defer { folder.remove() }
        let locked = folder.appending("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        XCTAssertEqual(chmod(locked.path, 0o555), 0)
        let me = String(cString: getpwuid(getuid())!.pointee.pw_name)
        XCTAssertEqual(IOFailure.reason(EACCES, path: locked.appendingPathComponent("new/slug.tgz").path, place: .output),
                       "Permission denied: slugc runs as \(me), and \(locked.path) belongs to \(me) (mode 555): make it writable for \(me) (chmod u+w), or point -o at another file system.")
    }

    func testTooManyOpenFilesSaysTheLimitAndUlimit() {
        var limit = rlimit()
        XCTAssertEqual(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit), 0)
        XCTAssertEqual(IOFailure.reason(EMFILE, path: "/srv/app", place: nil),
                       "Too many open files: slugc used up its limit of open files (\(limit.rlim_cur)): raise it with ulimit -n, then run again.")
    }
}
