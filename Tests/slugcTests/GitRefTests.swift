import Foundation
import SlugTestSupport
import XCTest

/// `--git-ref`: exactly the committed tree is built, and when detection fails the hints say
/// where the missing file is — the case slugc was started from: `git push heroku master` of a
/// Flask app whose requirements.txt and Procfile were only on the branch `rest`.
final class GitRefTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var repository: GitFixture!
    private var hello: String { packageRoot.appendingPathComponent("Fixtures/buildpacks-classic/hello").path }

    override func setUpWithError() throws {
        temporary = try TemporaryDirectory(prefix: "slugc-git")
        repository = try GitFixture(at: temporary.appending("app"), home: temporary.appending("home"))
    }

    override func tearDown() { temporary?.remove() }

    /// master has the code; rest also has requirements.txt and the Procfile (from the Flask fixture).
    private func makeSeedRepository() throws {
        try repository.write("app.py", "from flask import Flask\napp = Flask(__name__)\n")
        try repository.commitAll("The app")
        try repository.git("checkout", "-q", "-b", "rest")
        let flask = packageRoot.appendingPathComponent("Fixtures/python-flask")
        try repository.write("requirements.txt", try String(contentsOf: flask.appendingPathComponent("requirements.txt"), encoding: .utf8))
        try repository.write("Procfile", try String(contentsOf: flask.appendingPathComponent("Procfile"), encoding: .utf8))
        try repository.commitAll("Dependencies and Procfile")
        try repository.git("checkout", "-q", "master")
    }

    private func slugcInRepository(_ arguments: [String]) throws -> CommandResult {
        try slugc(arguments, environment: repository.environment.merging(["TMPDIR": try scratch().path]) { _, new in new },
                  workingDirectory: repository.folder)
    }

    private func scratch() throws -> URL {
        let folder = temporary.appending("tmp")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    private func hints(_ result: CommandResult) -> [String] {
        result.stderr.split(separator: "\n").map(String.init)
            .drop { $0 != " !     Hints:" }.dropFirst()
            .prefix { $0.hasPrefix(" !       ") }
            .map { String($0.dropFirst(" !       ".count)) }
    }

    func testTheSeedCaseNamesTheBranchThatHasTheFileAndBothCommands() throws {
        try makeSeedRepository()
        let master = String(try repository.git("rev-parse", "master").prefix(7))
        let expected = "'requirements.txt' is not in master (commit \(master)), but the branch rest has it: build that branch with slugc build --git-ref rest, or merge it into master; to deploy it as it is, git push heroku rest:main."
        let slug = temporary.appending("slug.tgz")
        // app.py makes it a Python app (as on Heroku); compile then fails for want of
        // requirements.txt, and the failure says where that file is.
        let build = try slugcInRepository(["build", "--git-ref", "master", "-o", slug.path, "--env", "PYTHON_RUNTIME_INDEX=none"])
        XCTAssertEqual(build.exitCode, 30, build.stderr)
        XCTAssertTrue(build.stderr.contains(" !     Warning: the Python buildpack matched, but its compile will fail: it needs requirements.txt, Pipfile.lock, poetry.lock or uv.lock at the app root (none of them is there).\n"), build.stderr)
        XCTAssertTrue(build.stderr.contains(" !     Failed to compile app with buildpack python: bin/compile exited with status 1. It needs requirements.txt, Pipfile.lock, poetry.lock or uv.lock at the app root"), build.stderr)
        XCTAssertEqual(hints(build), [expected])
        XCTAssertFalse(FileManager.default.fileExists(atPath: slug.path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: try scratch().path), [], "a failed build left its temporary folder")

        // With the buildpack set, and without, detect says what build says.
        let python = try slugcInRepository(["detect", "--git-ref", "master", "--buildpack", "python"])
        XCTAssertEqual(python.exitCode, 0, python.stderr)
        XCTAssertEqual(python.stdout, "-----> Python app detected\n")
        XCTAssertEqual(hints(python), [expected])
        let detect = try slugcInRepository(["detect", ".", "--git-ref", "master"])
        XCTAssertEqual(detect.exitCode, 0)
        XCTAssertEqual(hints(detect), [expected])

        // Without any Python file in the commit, nothing is detected, and the hint is the same.
        try repository.git("rm", "-q", "app.py")
        try repository.git("commit", "-q", "-m", "No app yet")
        let bare = String(try repository.git("rev-parse", "master").prefix(7))
        let nothing = try slugcInRepository(["detect", "--git-ref", "master"])
        XCTAssertEqual(nothing.exitCode, 20, nothing.stderr)
        XCTAssertTrue(nothing.stderr.hasPrefix(" !     No Cedar-supported app detected"), nothing.stderr)
        XCTAssertTrue(hints(nothing).contains(expected.replacingOccurrences(of: master, with: bare)), nothing.stderr)

        // The branch that has it detects.
        let rest = try slugcInRepository(["detect", "--git-ref", "rest"])
        XCTAssertEqual(rest.exitCode, 0, rest.stderr)
        XCTAssertEqual(rest.stdout, "-----> Python app detected\n")
    }

    func testUncommittedUntrackedIgnoredAndDeletedFilesEachGetTheirHint() throws {
        // No Python file is committed, so nothing is detected and every marker gets its hint.
        try repository.write("README.md", "An app\n")
        try repository.write("setup.py", "from setuptools import setup\n")
        try repository.write(".gitignore", "# local files\n*.log\nPipfile\n")
        try repository.commitAll("First")
        try repository.git("rm", "-q", "setup.py")
        try repository.git("commit", "-q", "-m", "Drop setup.py")
        let deleting = String(try repository.git("rev-parse", "HEAD").prefix(7))
        let head = String(try repository.git("rev-parse", "HEAD").prefix(7))
        try repository.write("requirements.txt", "flask\n")      // staged, not committed
        try repository.git("add", "requirements.txt")
        try repository.write("pyproject.toml", "[project]\n")    // untracked
        try repository.write("Pipfile", "[packages]\n")          // ignored
        let result = try slugcInRepository(["detect", "--git-ref", "HEAD"])
        XCTAssertEqual(result.exitCode, 20, result.stderr)
        XCTAssertEqual(hints(result), [
            "'requirements.txt' is in the working tree but not committed, so it is not in HEAD (commit \(head)): git add requirements.txt && git commit, then build again.",
            "'setup.py' was deleted from HEAD in commit \(deleting) (\"Drop setup.py\"): bring it back with git checkout \(deleting)^ -- setup.py && git commit.",
            "'pyproject.toml' is in the working tree but untracked, so it is not in HEAD (commit \(head)): git add pyproject.toml && git commit, then build again.",
            "'Pipfile' is in the working tree but ignored by .gitignore (line 3), so it was never committed and is not in HEAD (commit \(head)): remove that line (or git add -f Pipfile), then git add Pipfile && git commit.",
        ])
    }

    func testGitRefBuildsExactlyTheCommittedTreeWithSourceVersion() throws {
        try repository.write("hello.txt", "committed\n")
        try repository.write("Procfile", "web: say-hello\n")
        try repository.write("lib/code.txt", "code\n")
        let commit = try repository.commitAll("Hello app")
        try repository.write("hello.txt", "edited, not committed\n")
        try repository.write("untracked.txt", "not added\n")
        let status = try repository.git("status", "--porcelain")  // refreshes .git/index: before the snapshot
        let before = try treeSnapshot(repository.folder)

        let slug = temporary.appending("slug.tgz")
        let result = try slugcInRepository(["build", ".", "--git-ref", "master", "--buildpack", hello, "-o", slug.path])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("       Building master (commit \(commit.prefix(7))): the committed tree, without uncommitted or untracked files\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("       source version \(commit)\n"), result.stdout)
        let app = try extractWithSystemTar(slug, in: temporary)
        XCTAssertEqual(readText(app.appendingPathComponent("hello.txt")), "committed\n")
        XCTAssertEqual(readText(app.appendingPathComponent("lib/code.txt")), "code\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: app.appendingPathComponent("untracked.txt").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: app.appendingPathComponent(".git").path))
        XCTAssertEqual(try treeSnapshot(repository.folder), before, "the build changed the repository")
        XCTAssertEqual(try repository.git("status", "--porcelain"), status)
        XCTAssertTrue(status.contains("M hello.txt") && status.contains("?? untracked.txt"), status)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: try scratch().path), [])
    }

    func testAnUnknownRefAndAFolderOutsideAnyRepositoryAreUsageErrors() throws {
        try repository.write("index.html", "<h1>hi</h1>\n")
        try repository.commitAll("Site")
        let unknown = try slugcInRepository(["build", "--git-ref", "nope", "-o", temporary.appending("slug.tgz").path])
        XCTAssertEqual(unknown.exitCode, 64)
        XCTAssertEqual(unknown.stderr, " !     --git-ref nope: the repository \(repository.folder.path) has no branch, tag or commit of that name. Its branches: master. Give one of those, a tag or a commit hash.\n")

        let plain = temporary.appending("plain")
        try FileManager.default.createDirectory(at: plain, withIntermediateDirectories: true)
        let outside = try slugc(["detect", plain.path, "--git-ref", "main"], environment: repository.environment)
        XCTAssertEqual(outside.exitCode, 64)
        XCTAssertEqual(outside.stderr, " !     \(plain.path) is not in a git repository, so there is no main to build. Give the folder of a git checkout, or build the folder as it is without --git-ref.\n")
    }

    func testAFolderBuildWarnsWhenDetectionRestsOnFilesAPushWouldNotSend() throws {
        try repository.write("README.md", "docs\n")
        try repository.write(".gitignore", "index.html\n")
        try repository.commitAll("Docs")
        try repository.write("index.html", "<h1>hi</h1>\n")
        let slug = temporary.appending("slug.tgz")
        let result = try slugcInRepository(["build", ".", "-o", slug.path, "--json"])
        XCTAssertEqual(result.exitCode, 0, result.stderr)
        let warning = "index.html: ignored by .gitignore (line 1): this build found it, but a git push would not send it, so Heroku would not detect the app with the Static HTML buildpack. Remove that line (or git add -f index.html), then commit it."
        XCTAssertTrue(result.stderr.contains(" !     Warning: \(warning)\n"), result.stderr)
        let release = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(release["warnings"] as? [String], [warning])
        let detect = try slugcInRepository(["detect"])
        XCTAssertEqual(detect.exitCode, 0, detect.stderr)
        XCTAssertEqual(detect.stdout, "-----> Static HTML app detected\n")
        XCTAssertEqual(detect.stderr, " !     Warning: \(warning)\n")
    }
}
