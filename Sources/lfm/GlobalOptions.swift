import ArgumentParser
import Foundation
import LFMCore

/// Options every workspace command takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: .customLong("lf-dir"), help: ArgumentHelp(
        "LLaMA-Factory directory (a checkout, its data/ folder, or an `lfm init` workspace).",
        discussion: "Without it lfm uses LLAMAFACTORY_DIR, then lfm.yaml in this or a parent directory, then a LLaMA-Factory checkout above the current directory.",
        valueName: "dir"))
    var lfDir: String?

    func workspace() throws -> Workspace {
        try Workspace.resolve(flag: lfDir, environment: Workspace.processEnvironment(),
                              currentDirectory: FileManager.default.currentDirectoryPath)
    }
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print machine-readable JSON on stdout.")
    var json = false
}

/// Exit codes (docs/exit-codes.md).
enum Exit {
    static let failure = ExitCode(1)
    static let usage = ExitCode(64)
    static let interrupted = ExitCode(130)
}


/// Parses `a=b,c=d` into a dictionary; throws a usage error naming the option.
func parsePairs(_ text: String?, option: String) throws -> [String: String] {
    guard let text, !text.isEmpty else { return [:] }
    var pairs: [String: String] = [:]
    for part in text.split(separator: ",") {
        let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard kv.count == 2, !kv[0].isEmpty, !kv[1].isEmpty else {
            throw ValidationError("\(option) expects key=value pairs separated by commas, e.g. \(option) prompt=question,response=answer; got \"\(part)\"")
        }
        pairs[kv[0]] = kv[1]
    }
    return pairs
}
