import Foundation
import Testing
import TestSupport

/// Every `--help` fits 80 columns even when lfm cannot ask a terminal for its width (piped, CI):
/// ArgumentParser's generated `USAGE:` line listed every option on one line (up to 221 columns).
@Suite(.enabled(if: binaryAvailable)) struct HelpWidthTests {
    /// The names under `SUBCOMMANDS:` in a help text.
    static func subcommands(_ help: String) -> [String] {
        var names: [String] = []
        var inside = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SUBCOMMANDS:") { inside = true; continue }
            guard inside else { continue }
            if !line.isEmpty && !line.hasPrefix(" ") { break }
            let trimmed = line.drop(while: { $0 == " " })
            // Names sit at two spaces; wrapped abstracts are indented further.
            if line.hasPrefix("  ") && !line.hasPrefix("   "), let name = trimmed.split(separator: " ").first {
                names.append(String(name))
            }
        }
        return names
    }

    @Test func everyHelpFitsEightyColumnsWithoutATerminal() async throws {
        let dir = try TempDir("lfm-help-width")
        let unset: [String: String?] = ["COLUMNS": nil]
        let root = try await lfm(["--help"], cwd: dir.path, environment: unset)
        let commands = Self.subcommands(root.stdout)
        #expect(commands.count >= 20, "\(root.stdout)")
        var checked = 0
        for command in commands {
            let help = try await lfm([command, "--help"], cwd: dir.path, environment: unset)
            var texts = [([command], help.stdout)]
            for sub in Self.subcommands(help.stdout) {
                texts.append(([command, sub], try await lfm([command, sub, "--help"], cwd: dir.path, environment: unset).stdout))
            }
            for (words, text) in texts {
                checked += 1
                for line in text.split(separator: "\n") where line.count > 80 {
                    Issue.record("lfm \(words.joined(separator: " ")) --help: \(line.count) columns: \(line)")
                }
            }
        }
        #expect(checked > commands.count)
    }
}
