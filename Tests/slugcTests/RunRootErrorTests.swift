import Foundation
import SlugTestSupport
import XCTest

/// Every way `slugc run --root DIR` refuses to start, with its exact message: a wrong DIR, not
/// being root and a machine without namespaces are usage errors (exit 64) found before the slug
/// is even read; a mount that fails afterwards is reported as such (exit 1), never as the app's
/// own exit status. None of these needs the run image.
final class RunRootErrorTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var runTemporary: URL!
    /// Not a gzip file: had slugc extracted it before checking DIR, it would fail differently.
    private var garbageSlug: URL!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-run-root-errors")
        runTemporary = temporary.appending("run-tmp")
        try FileManager.default.createDirectory(at: runTemporary, withIntermediateDirectories: true)
        garbageSlug = temporary.appending("garbage.tgz")
        try "not a slug\n".write(to: garbageSlug, atomically: false, encoding: .utf8)
    }

    override func tearDown() { temporary?.remove() }

    /// A folder that passes every check on DIR: regular files at /bin/bash and /bin/sh.
    private func fakeRootFilesystem(named name: String = "fake-root") throws -> URL {
        let root = temporary.appending(name)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
        for program in ["bin/bash", "bin/sh"] {
            try "#!/not/a/real/shell\n".write(to: root.appendingPathComponent(program), atomically: false, encoding: .utf8)
        }
        return root
    }

    private func run(_ slug: URL, root: URL, wrappedIn wrapper: [String] = []) throws -> CommandResult {
        let arguments = ["run", slug.path, "--root", root.path]
        guard let program = wrapper.first else {
            return try slugc(arguments, environment: ["TMPDIR": runTemporary.path])
        }
        return try runCommand(program, Array(wrapper.dropFirst()) + [slugcExecutable.path] + arguments,
                              environment: ["TMPDIR": runTemporary.path])
    }

    private func assertUsageError(_ result: CommandResult, _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(result.exitCode, 64, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stdout, "", file: file, line: line)
        XCTAssertEqual(result.stderr, " !     \(message)\n", file: file, line: line)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runTemporary.path), [], "a run folder was made",
                       file: file, line: line)
    }

    func testTheChecksComeBeforeTheSlugIsRead() throws {
        // The same garbage slug with a DIR that passes: now slugc reads it, and fails on it.
        let result = try run(garbageSlug, root: try fakeRootFilesystem())
        XCTAssertNotEqual(result.exitCode, 64, result.stderr)
        XCTAssertFalse(result.stderr.contains("--root"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runTemporary.path), [])
    }

    func testMissingFolder() throws {
        let missing = temporary.appending("no-such-image")
        try assertUsageError(try run(garbageSlug, root: missing),
                             "--root \(missing.path): no such folder. Give the folder of a root filesystem to boot the slug in (debootstrap makes one), or leave out --root to run it on this machine.")
    }

    func testFileInsteadOfAFolder() throws {
        try assertUsageError(try run(garbageSlug, root: garbageSlug),
                             "--root \(garbageSlug.path): not a folder. Give the folder of a root filesystem to boot the slug in (debootstrap makes one), not a file or an archive.")
    }

    func testFolderWithoutAShellIsNotARootFilesystem() throws {
        let app = temporary.appending("an-app-folder")
        try FileManager.default.createDirectory(at: app.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try "web: ./server\n".write(to: app.appendingPathComponent("Procfile"), atomically: false, encoding: .utf8)
        try assertUsageError(try run(garbageSlug, root: app),
                             "--root \(app.path): not a root filesystem, it has no /bin/sh or /bin/bash. Give the folder a root filesystem was installed in (with bin/, etc/ and usr/ at its top), e.g. one made by debootstrap.")
    }

    func testRootFilesystemWithoutBash() throws {
        // /bin/sh is an absolute link, as it is in some images: it means the image's own
        // /opt/busybox/sh, which this machine does not have.
        let root = temporary.appending("busybox-root")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("opt/busybox"), withIntermediateDirectories: true)
        try "".write(to: root.appendingPathComponent("opt/busybox/sh"), atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("bin/sh").path, withDestinationPath: "/opt/busybox/sh")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/opt/busybox/sh"), "this machine has the link's target itself")
        try assertUsageError(try run(garbageSlug, root: root),
                             "--root \(root.path): the root filesystem has no /bin/bash, which sources .profile.d and starts the process as on a dyno. Install bash in it (apt-get install bash in a chroot), or use a root filesystem that has it.")
    }

    func testNotRootIsRefused() throws {
        let root = try fakeRootFilesystem()
        // As root, become nobody for this one run; as anyone else, slugc is not root already.
        let wrapper = geteuid() == 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : []
        try assertUsageError(try run(garbageSlug, root: root, wrappedIn: wrapper),
                             "--root \(root.path): booting a slug in a root filesystem needs root, to mount it in a private mount namespace and chroot into it. Run slugc as root (e.g. with sudo), or leave out --root to run the slug on this machine.")
    }

    func testNamespacesUnavailableIsRefused() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root, to be root in a user namespace of its own")
        let root = try fakeRootFilesystem()
        // slugc is root in a user namespace of its own whose limit of mount namespaces is 0, as
        // in a locked-down container; the machine's own limit is untouched.
        let wrapper = ["/usr/bin/unshare", "--user", "--map-root-user", "/bin/bash", "-c",
                       "echo 0 > /proc/sys/user/max_mnt_namespaces && exec \"$@\"", "no-namespaces"]
        try assertUsageError(try run(garbageSlug, root: root, wrappedIn: wrapper),
                             "--root \(root.path): this machine does not let slugc create a private mount and PID namespace (unshare: unshare failed: No space left on device). Run slugc as root on a Linux machine that allows namespaces (in a container, one started with --privileged), or leave out --root.")
    }

    func testFailedMountIsReportedNotMistakenForTheAppsExitStatus() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root, to get as far as mounting")
        let root = try fakeRootFilesystem()
        // /proc is a file: the setup cannot mount /proc on it, after the namespace exists.
        try "".write(to: root.appendingPathComponent("proc"), atomically: false, encoding: .utf8)
        let slug = try packSlug(["Procfile": "web: true\n"], in: temporary)
        let result = try run(slug, root: root)
        XCTAssertEqual(result.exitCode, 1, result.stderr)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let pattern = #"^ !     --root \#(NSRegularExpression.escapedPattern(for: root.path)): the root filesystem could not be prepared for the run \(mkdir: cannot create directory [‘'].*/slugc-run-[A-Za-z0-9]{6}/root/proc[’']: File exists\)\. Check that the kernel has overlayfs and that TMPDIR is on a local disk, then run again\.$"#
        XCTAssertNotNil(lines.last?.range(of: pattern, options: .regularExpression), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: runTemporary.path), [], "the run folder was left behind")
    }
}
