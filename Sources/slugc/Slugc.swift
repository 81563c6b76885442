import ArgumentParser
import Foundation
import SlugKit

struct Slugc: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slugc",
        abstract: "Turn an app's source into a Heroku-style slug: detect, compile, release, pack.",
        discussion: """
            Examples:
              slugc build ./myapp -o myapp.tgz        build a slug
              slugc detect ./myapp --explain          why each buildpack matches or not
              slugc run myapp.tgz web --port 8080     boot the web process from the slug
              slugc inspect myapp.tgz --json          process types, size, checksum
            """,
        version: "0.1.0",
        subcommands: [
            BuildCommand.self, DetectCommand.self, PackCommand.self, RunCommand.self,
            InspectCommand.self, BuildpacksCommand.self, TestCommand.self,
        ]
    )
}

/// Starts the CLI with SIGPIPE ignored: when stdout is closed early (`slugc build … | head`),
/// writes fail quietly and the build still cleans up, instead of the process dying mid-build
/// and leaving its temporary folder. Child processes get default signal handling back.
@main
enum SlugcMain {
    static func main() async {
        signal(SIGPIPE, SIG_IGN)
        // Every child slugc has is started by ChildProcess, so this process may adopt what a
        // buildpack script daemonises (setsid) and kill it when the script ends (OrphanReaper
        // says why the library leaves this to its caller).
        OrphanReaper.becomeSubreaper()
        await Slugc.main()
    }
}
