import Foundation

// Prints the bundled message, or says where it looked when the bundle is missing.
guard let url = Bundle.module.url(forResource: "motd", withExtension: "txt"),
      let text = try? String(contentsOf: url, encoding: .utf8) else {
    print("motd.txt not found in \(Bundle.module.bundlePath)")
    exit(1)
}
print(text, terminator: "")
