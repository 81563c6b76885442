import Foundation

/// Asks each buildpack whether it can build the app, and explains every answer.
public struct Detector: Sendable {
    /// Environment for classic `bin/detect` scripts (PATH, STACK …).
    public var environment: [String: String]
    public var timeout: Duration?
    /// A git-ref build: hints look for missing markers in the repository.
    var git: GitSourceContext?

    public init(environment: [String: String], timeout: Duration? = .seconds(60)) {
        self.environment = environment
        self.timeout = timeout
    }

    /// Runs detection for `buildpacks` in order against the app at `appDirectory`.
    ///
    /// - `sourceDirectory`: the untouched source (for hints about `.slugignore` and `.gitignore`);
    /// - `explicit`: the buildpacks were set with `--buildpack`: all must match, in order.
    /// Throws `DetectError` when nothing matches, a set buildpack does not match, or a script fails.
    public func detect(appDirectory: URL, sourceDirectory: URL?, buildpacks: [Buildpack], explicit: Bool) async throws -> DetectionReport {
        var results: [BuildpackDetection] = []
        for buildpack in buildpacks {
            let result = try await evaluate(buildpack, appDirectory: appDirectory)
            if result.failure != nil, let script = result.script {
                throw DetectError.detectScriptFailed(buildpack: buildpack.reference ?? buildpack.id, script: script, outcome: result.outcome)
            }
            results.append(result.detection)
        }
        if explicit {
            var report = DetectionReport(results: results, selected: results.first?.id, hints: [])
            if let index = results.firstIndex(where: { !$0.matched }) {
                report.selected = nil
                report.hints = await hints(for: [(buildpacks[index], results[index])], appDirectory: appDirectory, sourceDirectory: sourceDirectory)
                let buildpack = buildpacks[index]
                throw DetectError.notCompatible(buildpack: buildpack.reference ?? buildpack.id, report: report)
            }
            return report
        }
        var report = DetectionReport(results: results, selected: results.first(where: \.matched)?.id, hints: [])
        if report.selected == nil {
            report.hints = await hints(for: Array(zip(buildpacks, results)), appDirectory: appDirectory, sourceDirectory: sourceDirectory)
            throw DetectError.noBuildpackDetected(report)
        }
        report.hints = await requirementHints(report, buildpacks: buildpacks, appDirectory: appDirectory, sourceDirectory: sourceDirectory)
        return report
    }

    /// Like `detect`, but never throws for "no match": `slugc detect` prints the report either way.
    /// A failing `bin/detect` is recorded in its result (`failure`, `exitCode`, `stderr`) instead of thrown.
    public func explain(appDirectory: URL, sourceDirectory: URL?, buildpacks: [Buildpack]) async throws -> DetectionReport {
        var results: [BuildpackDetection] = []
        for buildpack in buildpacks {
            results.append(try await evaluate(buildpack, appDirectory: appDirectory).detection)
        }
        var report = DetectionReport(results: results, selected: results.first(where: \.matched)?.id, hints: [])
        if report.selected == nil {
            report.hints = await hints(for: Array(zip(buildpacks, results)), appDirectory: appDirectory, sourceDirectory: sourceDirectory)
        } else {
            report.hints = await requirementHints(report, buildpacks: buildpacks, appDirectory: appDirectory, sourceDirectory: sourceDirectory)
        }
        return report
    }

    /// When the selected buildpack matched but its `requires` failed (a Python app without
    /// requirements.txt), the same near-miss hints as for a failed detection, aimed at what compile
    /// needs: a misspelled or misplaced file, one `.slugignore` removed, a dependency file elsewhere.
    private func requirementHints(_ report: DetectionReport, buildpacks: [Buildpack], appDirectory: URL, sourceDirectory: URL?) async -> [String] {
        guard let selected = report.selectedResult, !selected.requirementMet,
              let buildpack = buildpacks.first(where: { $0.id == selected.id }),
              let requirement = buildpack.requirement, case .rules(let detect) = buildpack.detection else { return [] }
        // Package-manager files detection knows (Pipfile, pyproject.toml) also tell where the app is;
        // source files (`__init__.py`) and folders (`venv/`) do not.
        let placed = detect.markers.filter { !$0.isDirectory && !$0.path.hasSuffix(".py") && !requirement.markers.contains($0) }
        var finder = NearMissHints(appDirectory: appDirectory, sourceDirectory: sourceDirectory, environment: environment, git: git)
        finder.goal = "build the app"
        let missing = requirement.markers.filter { !FileManager.default.fileExists(atPath: appDirectory.appendingPathComponent($0.path).path) }
        var hints = DependencyFileHints(appDirectory: appDirectory).hints(forMissing: missing)
        hints += await finder.hints(for: [NearMissHints.Candidate(buildpackName: buildpack.name, markers: requirement.markers)])
        hints += finder.subfolderHints(for: NearMissHints.Candidate(buildpackName: buildpack.name, markers: placed))
        var unique = Set<String>()
        return hints.filter { unique.insert($0).inserted }
    }

    private func hints(for pairs: [(Buildpack, BuildpackDetection)], appDirectory: URL, sourceDirectory: URL?) async -> [String] {
        let candidates = pairs.compactMap { buildpack, result -> NearMissHints.Candidate? in
            guard !result.matched, case .rules(let rule) = buildpack.detection else { return nil }
            return NearMissHints.Candidate(buildpackName: buildpack.name, markers: rule.markers)
        }
        let finder = NearMissHints(appDirectory: appDirectory, sourceDirectory: sourceDirectory, environment: environment, git: git)
        return await finder.hints(for: candidates)
    }

    private struct Evaluation {
        var detection: BuildpackDetection
        var outcome: ChildProcessOutcome
        var failure: String? { detection.failure }
        var script: String? { detection.script }
    }

    private func evaluate(_ buildpack: Buildpack, appDirectory: URL) async throws -> Evaluation {
        let none = ChildProcessOutcome(exitCode: 0, signal: nil, timedOut: false, capturedOutput: "", errorTail: [])
        switch buildpack.detection {
        case .rules(let rule):
            let result = RuleEvaluator(root: appDirectory).evaluate(rule)
            var detection = BuildpackDetection(id: buildpack.id, name: buildpack.name, matched: result.passed,
                                               rules: [result], lookedFor: rule.summary)
            if result.passed, let requirement = buildpack.requirement {
                detection.requirement = [RuleEvaluator(root: appDirectory).evaluate(requirement)]
                detection.required = requirement.summary
            }
            return Evaluation(detection: detection, outcome: none)
        case .script(let script):
            var outcome = try await runDetect(script, of: buildpack, appDirectory: appDirectory)
            // bash names the script it runs ("…/bin/detect: line 3: …"): for an archive, that is
            // the folder it was unpacked into, gone by the time anyone reads the message.
            if buildpack.displayRoot != buildpack.directory.path {
                outcome.errorTail = outcome.errorTail.map {
                    $0.replacingOccurrences(of: buildpack.directory.path + "/", with: buildpack.displayRoot + "/")
                }
            }
            var detection = BuildpackDetection(id: buildpack.id, name: buildpack.name, matched: false,
                                               exitCode: outcome.exitCode, stderr: outcome.errorTail, script: buildpack.displayPath(of: script))
            switch (outcome.exitCode, outcome.timedOut) {
            case (0?, false):
                detection.matched = true
                let firstLine = outcome.capturedOutput.split(separator: "\n").first.map(String.init) ?? ""
                let framework = firstLine.trimmingCharacters(in: .whitespacesAndNewlines)
                detection.framework = framework.isEmpty ? nil : framework
            case (1?, false):
                break
            default:
                if outcome.timedOut, let timeout {
                    let seconds = timeout.components.seconds
                    detection.failure = "timed out after \(seconds) second\(seconds == 1 ? "" : "s")"
                } else {
                    detection.failure = outcome.summary
                }
            }
            return Evaluation(detection: detection, outcome: outcome)
        }
    }

    /// `bin/detect BUILD_DIR`, run from the build directory; a script that cannot start counts as failed.
    private func runDetect(_ script: URL, of buildpack: Buildpack, appDirectory: URL) async throws -> ChildProcessOutcome {
        let process = ChildProcess(executable: script.path, arguments: [appDirectory.path], environment: environment,
                                   workingDirectory: appDirectory, timeout: timeout, capturesOutput: true)
        do {
            return try await process.run()
        } catch let error as ChildProcessError {
            return ChildProcessOutcome(exitCode: 127, signal: nil, timedOut: false, capturedOutput: "",
                                       errorTail: ["could not start \(buildpack.displayPath(of: script)): \(buildpack.startFailure(error, runFrom: buildpack.directory))"])
        }
    }
}
