import Foundation
@testable import SlugKit
import XCTest

/// The portability rule entry by entry, with the exact sentences a user reads.
final class PortabilityCheckTests: XCTestCase {
    private func symlinkFindings(_ links: [(String, String)]) -> [PortabilityFinding] {
        var check = PortabilityCheck()
        for (path, target) in links { check.checkSymlink(at: path, target: target) }
        return check.findings
    }

    private func fileFindings(_ path: String, _ text: String, mode: UInt32 = 0o755,
                              check: PortabilityCheck = PortabilityCheck()) -> [PortabilityFinding] {
        var check = check
        check.checkFile(at: path, contents: Data(text.utf8), mode: mode)
        return check.findings
    }

    func testSymlinksThatLeaveTheSlugAreFlaggedAndTheRestPass() {
        let passing = [
            ("bin/python", "../.heroku/python/bin/python3"), ("python", "/app/.heroku/python/bin/python3"), ("app-root", "/app"),
            ("lib/libssl.so", "/usr/lib/x86_64-linux-gnu/libssl.so.3"), ("certs", "/etc/ssl/certs"), ("sh", "/bin/sh"),
            ("loader", "/lib64/ld-linux-x86-64.so.2"), ("null", "/dev/null"), ("scratch", "/tmp/cache"), ("here", "."),
            ("a/b/c", "../../d"), ("empty", ""),
        ]
        XCTAssertEqual(symlinkFindings(passing), [])
        let flagged = symlinkFindings([
            ("bin/python3.11", "/root/.pyenv/versions/3.11.7/bin/python3.11"), ("bin/python3", "/usr/local/bin/python3"),
            ("opt", "/opt/vendor"), ("sneaky", "/app/../root/secret"), ("root", "/"),
            ("lib/shared", "../../shared/lib"), ("up", ".."),
        ])
        XCTAssertEqual(flagged.map(\.path), ["bin/python3.11", "bin/python3", "opt", "sneaky", "root", "lib/shared", "up"])
        XCTAssertEqual(flagged.map(\.kind), Array(repeating: .symlink, count: 7))
        XCTAssertEqual(flagged[0].warning.description, "bin/python3.11: symlink to /root/.pyenv/versions/3.11.7/bin/python3.11, outside the slug: a dyno has nothing there. Copy what it points to into the app and link to the copy with a relative path.")
        XCTAssertEqual(flagged[5].warning.description, "lib/shared: symlink to ../../shared/lib, which climbs out of the app folder: a dyno has nothing there. Copy what it points to into the app and link to the copy with a relative path.")
    }

    func testShebangsOfExecutableScriptsNamingABuildMachinesInterpreter() {
        let pyenv = fileFindings("bin/gunicorn", "#!/root/.pyenv/versions/3.11.7/bin/python\nimport sys\n")
        XCTAssertEqual(pyenv, [PortabilityFinding(path: "bin/gunicorn", kind: .shebang, target: "/root/.pyenv/versions/3.11.7/bin/python", message:
            "its #! line names /root/.pyenv/versions/3.11.7/bin/python, which a dyno does not have: it will not run. Start it with #!/usr/bin/env python and put the interpreter on PATH, or name one under /app/.")])
        XCTAssertEqual(fileFindings("bin/local", "#! /usr/local/bin/ruby -w\n").map(\.target), ["/usr/local/bin/ruby"])
        for fine in ["#!/usr/bin/env python3\n", "#! /bin/sh -e\n", "#!/bin/bash", "#!/usr/sbin/nologin\n",
                     "#!/app/.heroku/python/bin/python\n", "#!python\n", "#!\n", "echo no shebang\n", "#!/opt/x\0binary\n"] {
            XCTAssertEqual(fileFindings("bin/tool", fine), [], fine)
        }
        // A script that is not executable is not run by its #! line (library modules often have one).
        XCTAssertEqual(fileFindings("lib/module.py", "#!/root/.pyenv/versions/3.11.7/bin/python\n", mode: 0o644), [])
    }

    func testELFInterpreterAndSearchPathsOutsideTheSlug() {
        let elf = SyntheticELF(interpreter: "/opt/glibc/lib/ld-linux-x86-64.so.2", rpath: "/usr/lib/x86_64-linux-gnu:/home/ci/build/lib",
                               runpath: "$ORIGIN/../lib:/app/.heroku/lib:/opt/build/lib:${ORIGIN}:lib").bytes()
        var check = PortabilityCheck()
        check.checkFile(at: ".heroku/python/bin/python3", contents: Data(elf), mode: 0o644)
        XCTAssertEqual(check.findings.map(\.kind), [.elfInterpreter, .elfRpath, .elfRpath])
        XCTAssertEqual(check.findings.map(\.target), ["/opt/glibc/lib/ld-linux-x86-64.so.2", "/home/ci/build/lib", "/opt/build/lib"])
        XCTAssertEqual(check.findings.map(\.warning.description), [
            ".heroku/python/bin/python3: its ELF interpreter is /opt/glibc/lib/ld-linux-x86-64.so.2, not the system's: it will not start on a dyno. Link it against the stack's C library, whose loader is in /lib or /lib64.",
            ".heroku/python/bin/python3: its RPATH names /home/ci/build/lib, outside the slug: libraries there will not be found on a dyno. Put them in the app and point to them relative to the file, e.g. patchelf --set-rpath '$ORIGIN/../lib'.",
            ".heroku/python/bin/python3: its RUNPATH names /opt/build/lib, outside the slug: libraries there will not be found on a dyno. Put them in the app and point to them relative to the file, e.g. patchelf --set-rpath '$ORIGIN/../lib'.",
        ])
        let system = SyntheticELF(interpreter: "/lib/ld-linux-aarch64.so.1", runpath: "/usr/$LIB:/lib64").bytes()
        var clean = PortabilityCheck()
        clean.checkFile(at: "bin/app", contents: Data(system), mode: 0o755)
        XCTAssertEqual(clean.findings, [])
    }

    func testTheBuildFolderIsFoundExactlyOrByItsPattern() {
        let exact = PortabilityCheck(buildFolders: ["/tmp/slugc-build-AbC123/app"])
        XCTAssertEqual(fileFindings("config.py", "ROOT = '/tmp/slugc-build-AbC123/app/static'\n", mode: 0o644, check: exact), [
            PortabilityFinding(path: "config.py", kind: .buildPath, target: "/tmp/slugc-build-AbC123/app", message:
                "holds the build folder's path /tmp/slugc-build-AbC123/app, which is gone once the build ends: the slug runs from /app or wherever it is extracted. Work the path out at run time (from $HOME or the file's own location) instead of writing it at build time."),
        ])
        XCTAssertEqual(fileFindings("other.py", "ROOT = '/tmp/slugc-build-XyZ789/app'\n", mode: 0o644, check: exact), [])
        // A slug alone: any slugc build folder, read back to where its path starts.
        XCTAssertEqual(fileFindings("a.pth", "PATH=/usr/bin:/var/tmp/slugc-build-XyZ789/app/bin\n", mode: 0o644).map(\.target),
                       ["/var/tmp/slugc-build-XyZ789/app"])
        // In a .pyc, marshal's length byte before the string may read as a letter; the path starts at "/".
        XCTAssertEqual(fileFindings("f.pyc", "\u{0}\u{DA}i/tmp/slugc-build-ftFO0x/app/blog", mode: 0o644).map(\.target),
                       ["/tmp/slugc-build-ftFO0x/app"])
        for near in ["/tmp/slugc-build-XyZ78/app", "/tmp/slugc-build-XyZ7!9/app", "/tmp/slugc-build-XyZ789/ap", "/slugc-build-"] {
            XCTAssertEqual(fileFindings("near.txt", near, mode: 0o644), [], near)
        }
    }

    func testAMatchIsFoundWhereverTheChunksAreCut() {
        let text = Array((String(repeating: "x = 1\n", count: 100) + "HOME=/tmp/slugc-build-AbC123/app/.heroku\n" + String(repeating: "y\n", count: 50)).utf8)
        for search in [BuildPathSearch.slugcBuildFolder, BuildPathSearch(exactly: "/tmp/slugc-build-AbC123/app")] {
            for chunkSize in [1, 2, 5, 13, 22, 23, 64, 300, 599, 600, 601, text.count] {
                var stream = BuildPathStream(search)
                for start in stride(from: 0, to: text.count, by: chunkSize) {
                    text[start..<min(start + chunkSize, text.count)].withUnsafeBytes { stream.consume($0) }
                }
                XCTAssertEqual(stream.found, "/tmp/slugc-build-AbC123/app", "chunks of \(chunkSize)")
            }
        }
    }
}
