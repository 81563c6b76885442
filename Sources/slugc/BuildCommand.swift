import ArgumentParser
import Foundation
import SlugKit

struct BuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an app's source into a slug: detect, compile, release, pack.",
        discussion: """
            The source is a folder, a tarball (.tar, .tar.gz, .tgz, .tar.zst), - for a tarball on stdin, or an http(s) URL of one; a tarball's single top-level folder is the app, as with Heroku's Build API. With --git-ref the source is a commit of the folder's git repository: exactly its tree, as a push sends it, with SOURCE_VERSION set to the commit.

            The source is never modified: it is copied to a temporary folder first (without .git and what .slugignore names). The slug is written to a temporary file and renamed into place only when complete; -o - writes it to stdout once complete (every log line then goes to stderr), and --upload PUTs it to a signed URL, retrying 5xx answers.

            Examples:
              slugc build ./myapp -o myapp.tgz
              slugc build . -o slug.tgz --cache-dir ~/.cache/slugc/myapp --env DEBUG=0
              slugc build . --git-ref main -o slug.tgz      what a push of main sends
              slugc build app.tgz -o slug.tgz
              slugc build - -o - < app.tar > slug.tgz
              slugc build "$SOURCE_URL" --upload "$PUT_URL" --log-format json
              slugc build repo --app-dir services/api -o api.tgz --json > release.json
              slugc build . -o slug.tgz --buildpack ./bp/nodejs --buildpack python
            """
    )

    @OptionGroup var input: BuildInputOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the slug; - writes it to stdout.", valueName: "SLUG.tgz"))
    var output: String?

    @Option(help: ArgumentHelp("PUT the slug to this signed URL (a Heroku slug's blob URL, a signed S3 or GCS URL).", valueName: "URL"))
    var upload: String?

    @OptionGroup var packing: PackingOptions
    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        guard output != nil || upload != nil else {
            throw ValidationError("Missing expected argument '--output <SLUG.tgz>': give -o SLUG.tgz, -o - for stdout, or --upload URL.")
        }
        if output == "-" {
            if outputOptions.json {
                throw ValidationError("-o - writes the slug to stdout, so --json cannot print there. Use --log-format json for a machine-readable log on stderr.")
            }
            if isatty(STDOUT_FILENO) == 1 {
                throw ValidationError("-o -: stdout is a terminal, and a slug is binary. Redirect it: slugc build . -o - > slug.tgz.")
            }
        }
    }

    func run() async throws {
        let toStandardOutput = output == "-"
        let terminal = Terminal(outputOptions, slugOnStandardOutput: toStandardOutput)
        let renderer = EventRenderer(terminal: terminal)
        do {
            var request = try input.request(output: toStandardOutput ? nil : output.map { URL(fileURLWithPath: $0) })
            if toStandardOutput { request.outputDescriptor = STDOUT_FILENO }
            if let upload {
                guard let url = URL(string: upload) else { throw UploadError.unsupportedURL(url: SourceLocation.redacted(upload)) }
                request.upload = SlugUpload(url: url)
            }
            request.stack = packing.stack
            request.pack = packing.packOptions()
            let finalRequest = request
            let result = try await SignalWatcher().cancelling {
                try await SlugCompiler().build(finalRequest) { renderer.render($0) }
            }
            let place = output.map { $0 == "-" ? "standard output" : $0 } ?? request.upload?.displayName ?? "-"
            terminal.slugWritten(result.release, to: place, json: outputOptions.json, durations: result.durations)
        } catch let error as ValidationError {
            throw error
        } catch {
            throw Failure.report(error, terminal: terminal, json: outputOptions.json)
        }
    }
}
