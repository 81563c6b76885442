import Foundation
import SlugTestSupport
import XCTest

/// `slugc run --root DIR` boots a slug at /app inside a bare run image (no python, no
/// compilers): as a dyno would, with nothing of the build machine showing through, and with
/// nothing left behind when it ends — no process, no mount, no temporary folder, no change to DIR.
final class RunRootTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    /// TMPDIR of the runs, so a test sees the run folder come and go.
    private var runTemporary: URL!

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-run-root")
        runTemporary = temporary.appending("run-tmp")
        try FileManager.default.createDirectory(at: runTemporary, withIntermediateDirectories: true)
    }

    override func tearDown() { temporary?.remove() }

    private func runFolders() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: runTemporary.path)
    }

    func testSlugBootsAtAppInsideTheImageWithProfileDAndPort() throws {
        let image = try runImage()
        let web = #"echo "HOME=$HOME PWD=$(pwd) PORT=$PORT GREETING=$GREETING"; cat /app/hello.txt; "#
            + #"echo "debian $(cat /etc/debian_version), $(head -n 1 /etc/slugc-run-image)"; "#
            + #"if command -v python3 || command -v swift || test -e /opt/swift; then echo "the build machine shows through"; else echo "no python3, no swift, no /opt/swift"; fi"#
        let slug = try packSlug(["Procfile": "web: \(web)\n",
                                 ".profile.d/greet.sh": "export GREETING=\"from profile.d\"\n",
                                 "hello.txt": "hello from the slug\n"], in: temporary)
        let debian = try XCTUnwrap(readText(image.appendingPathComponent("etc/debian_version")))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let run = try slugc(["run", slug.path, "--root", image.path, "--port", "6241"], environment: ["TMPDIR": runTemporary.path])
        XCTAssertEqual(run.exitCode, 0, run.stderr)
        XCTAssertEqual(run.stdout, """
            HOME=/app PWD=/app PORT=6241 GREETING=from profile.d
            hello from the slug
            debian \(debian), format 1
            no python3, no swift, no /opt/swift

            """)
        XCTAssertEqual(run.stderr, "-----> Running \(web) (PORT=6241)\n")
        XCTAssertEqual(try runFolders(), [], "the run folder was left behind")
    }

    func testThePythonOfTheBuildMachineIsHiddenAndExitStatusPassesThrough() throws {
        let image = try runImage()
        let slug = try packSlug(["Procfile": "web: true\n"], in: temporary)
        // This machine has python3 (buildpacks use it): only the root filesystem hides it.
        let outside = try slugc(["run", slug.path, "--", "bash", "-c", "command -v python3"])
        XCTAssertEqual(outside.exitCode, 0, outside.stderr)
        XCTAssertFalse(outside.stdout.isEmpty)
        let inside = try slugc(["run", slug.path, "--root", image.path, "--", "bash", "-c", "command -v python3"])
        XCTAssertEqual(inside.exitCode, 1, inside.stderr)
        XCTAssertEqual(inside.stdout, "")

        let status = try slugc(["run", slug.path, "--root", image.path, "--", "bash", "-c", "echo out; echo err >&2; exit 42"])
        XCTAssertEqual(status.exitCode, 42)
        XCTAssertEqual(status.stdout, "out\n")
        XCTAssertTrue(status.stderr.hasSuffix("\nerr\n"), status.stderr)
        // Killed by a signal: 128 + the signal, as without --root.
        let killed = try slugc(["run", slug.path, "--root", image.path, "--", "bash", "-c", "kill -KILL $$"])
        XCTAssertEqual(killed.exitCode, 137, killed.stderr)
        let plainKilled = try slugc(["run", slug.path, "--", "bash", "-c", "kill -KILL $$"])
        XCTAssertEqual(plainKilled.exitCode, 137, plainKilled.stderr)
    }

    func testTheAppWritesToItsOwnLayerAndTmpfsNeverToTheImage() throws {
        let image = try runImage()
        let before = try treeListing(image)
        let slug = try packSlug(["Procfile": "web: true\n"], in: temporary)
        let script = "set -e; echo app > /etc/written-by-the-app; cat /etc/written-by-the-app; stat -f -c %T /tmp; "
            + "rm /etc/debian_version; test ! -e /etc/debian_version && echo removed; test -c /dev/null && echo devices"
        let run = try slugc(["run", slug.path, "--root", image.path, "--", "bash", "-c", script],
                            environment: ["TMPDIR": runTemporary.path])
        XCTAssertEqual(run.exitCode, 0, run.stderr)
        XCTAssertEqual(run.stdout, "app\ntmpfs\nremoved\ndevices\n")
        XCTAssertEqual(try treeListing(image), before, "the run changed the image")
        XCTAssertFalse(FileManager.default.fileExists(atPath: image.appendingPathComponent("etc/written-by-the-app").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: image.appendingPathComponent("etc/debian_version").path))
        XCTAssertEqual(try runFolders(), [])
    }

    func testSIGTERMEndsEveryProcessAndLeavesNoMountFolderOrChange() throws {
        let image = try runImage()
        let before = try treeListing(image)
        let mountsBefore = try mountPoints()
        let token = "slugc-root-test-\(UUID().uuidString.prefix(8))"
        // A daemon that leaves the process group and ignores SIGTERM: only the PID namespace stops it.
        let web = "setsid -f bash -c 'trap \"\" TERM; exec -a \(token)-escaped sleep 600'; echo ready; exec -a \(token)-app sleep 600"
        let slug = try packSlug(["Procfile": "web: \(web)\n"], in: temporary)
        let app = try startSlugcRun(slug, temporaryDirectory: runTemporary, rootFilesystem: image)
        defer { app.stop() }
        XCTAssertTrue(eventually { processes(named: token).count == 2 }, "the app did not start: \(app.output)")
        XCTAssertTrue(app.output.contains("ready\n"), app.output)
        XCTAssertEqual(try runFolders().count, 1)
        // The run's mounts live in its own namespace: this one does not see them even now.
        XCTAssertEqual(try mountPoints(), mountsBefore)
        XCTAssertFalse(FileManager.default.fileExists(atPath: image.appendingPathComponent("app").path))

        app.stop()
        XCTAssertEqual(app.process.terminationStatus, 128 + SIGTERM, app.output)
        XCTAssertEqual(processes(named: token), [], "a process outlived the run")
        XCTAssertEqual(try runFolders(), [], "the run folder was left behind")
        XCTAssertEqual(try mountPoints(), mountsBefore)
        XCTAssertEqual(try treeListing(image), before, "the run changed the image")
    }

    func testSIGINTReachesTheAppWhichEndsTheRunWithItsOwnStatus() throws {
        let image = try runImage()
        let web = "trap 'echo \"got SIGINT\"; exit 3' INT; echo ready; while :; do sleep 0.1; done"
        let slug = try packSlug(["Procfile": "web: \(web)\n"], in: temporary)
        let app = try startSlugcRun(slug, temporaryDirectory: runTemporary, rootFilesystem: image)
        defer { app.stop() }
        XCTAssertTrue(eventually { app.output.contains("ready\n") }, app.output)
        kill(app.process.processIdentifier, SIGINT)
        XCTAssertTrue(eventually(seconds: 10) { !app.process.isRunning }, "SIGINT did not stop the run: \(app.output)")
        app.stop()
        XCTAssertEqual(app.process.terminationStatus, 3, app.output)
        XCTAssertTrue(app.output.hasSuffix("ready\ngot SIGINT\n"), app.output)
        XCTAssertEqual(try runFolders(), [])
    }

    func testStoppingAtAnyMomentOfTheBootLeavesNothing() throws {
        let image = try runImage()
        let mountsBefore = try mountPoints()
        let token = "slugc-root-test-\(UUID().uuidString.prefix(8))"
        let slug = try packSlug(["Procfile": "web: exec -a \(token) sleep 600\n"], in: temporary)
        // From before slugc watches signals, through extraction and the namespace's setup, to the
        // app running: a signal that came while the setup shell could not receive it yet would
        // leave the app running and slugc waiting for it.
        for delay: useconds_t in [0, 20_000, 50_000, 100_000, 200_000, 400_000, 800_000] {
            let app = try startSlugcRun(slug, temporaryDirectory: runTemporary, rootFilesystem: image)
            usleep(delay)
            app.stop()
            let status = app.process.terminationStatus, reason = app.process.terminationReason
            // Either slugc ended with the app's (or the interrupted setup's) 143, or the signal
            // came before slugc watched for it and ended slugc itself; never the SIGKILL of stop().
            XCTAssertTrue((reason == .exit && status == 143) || (reason == .uncaughtSignal && status == SIGTERM),
                          "after \(delay) µs: \(reason) \(status): \(app.output)")
            XCTAssertEqual(processes(named: token), [], "after \(delay) µs a process outlived the run")
            XCTAssertEqual(try runFolders(), [], "after \(delay) µs the run folder was left behind")
            XCTAssertEqual(try mountPoints(), mountsBefore)
        }
    }

    func testTwoRunsAtOnceFromOneImageEachServeHTTP() throws {
        let image = try runImage()
        // perl-base is in every Debian and Ubuntu base, so the image can serve HTTP without python.
        let server = #"""
            use strict; use warnings; use IO::Socket::INET;
            my $listener = IO::Socket::INET->new(LocalAddr => "0.0.0.0", LocalPort => $ENV{PORT}, Listen => 5, ReuseAddr => 1)
                or die "cannot listen on $ENV{PORT}: $!";
            $SIG{TERM} = sub { exit 0 };
            open(my $file, "<", "/etc/run-id") or die "no /etc/run-id: $!";
            chomp(my $written = <$file>);
            while (my $client = $listener->accept) {
                while (my $line = <$client>) { last if $line =~ /^\r?\n$/ }
                my $body = "run $ENV{RUN_ID}: /etc/run-id says $written, HOME=$ENV{HOME}, PORT=$ENV{PORT}\n";
                print $client "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " . length($body) . "\r\n\r\n$body";
                close $client;
            }
            """#
        let slug = try packSlug(["Procfile": "web: echo \"$RUN_ID\" > /etc/run-id && exec perl server.pl\n", "server.pl": server],
                                in: temporary)
        let first = try startSlugcRun(slug, temporaryDirectory: runTemporary, rootFilesystem: image, extraArguments: ["--env", "RUN_ID=first"])
        defer { first.stop() }
        let second = try startSlugcRun(slug, temporaryDirectory: runTemporary, rootFilesystem: image, extraArguments: ["--env", "RUN_ID=second"])
        defer { second.stop() }

        // Each run wrote /etc/run-id in its own layer: neither sees the other's.
        XCTAssertEqual(try first.waitForHTTP().body, "run first: /etc/run-id says first, HOME=/app, PORT=\(first.port)\n")
        XCTAssertEqual(try second.waitForHTTP().body, "run second: /etc/run-id says second, HOME=/app, PORT=\(second.port)\n")
        XCTAssertEqual(try runFolders().count, 2)

        first.stop()
        XCTAssertEqual(first.process.terminationStatus, 0, first.output)
        XCTAssertEqual(try httpGet(port: second.port, path: "/").status, 200, "stopping one run disturbed the other")
        second.stop()
        XCTAssertEqual(second.process.terminationStatus, 0, second.output)
        XCTAssertEqual(try runFolders(), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: image.appendingPathComponent("etc/run-id").path))
    }
}
