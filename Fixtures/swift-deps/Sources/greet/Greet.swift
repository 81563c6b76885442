import ArgumentParser
import Greeting

@main
struct Greet: ParsableCommand {
    @Option(help: "Who to greet.")
    var name = "world"

    func run() {
        print(greeting(for: name))
    }
}
