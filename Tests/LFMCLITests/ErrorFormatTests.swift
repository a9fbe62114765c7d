import Foundation
import Testing

/// One error style for every error (docs/exit-codes.md): `error: …` on one line, then a `hint:`
/// line; 64 only for usage errors, 1 for failures, help on stdout with 0.
@Suite("error format and exit codes", .enabled(if: binaryAvailable))
struct ErrorFormatTests {
    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test("a mistyped subcommand gets the nearest one")
    func subcommandTypo() async throws {
        let dir = try TempDir()
        let result = try await lfm(["lsit"], cwd: dir.path)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(Self.lines(result.stderr) == ["error: unknown command 'lsit'", "hint: did you mean `lfm list`? See `lfm --help`"])
        let far = try await lfm(["frobnicate"], cwd: dir.path)
        #expect(Self.lines(far.stderr) == ["error: unknown command 'frobnicate'", "hint: see `lfm --help`"])
    }

    @Test("ArgumentParser's errors in lfm's format: one error line and a hint naming the command's help", arguments: [
        (["register", "x.json", "--bogus-flag"], "error: unknown option '--bogus-flag'", "hint: see `lfm register --help`"),
        (["list", "--jsno"], "error: unknown option '--jsno'", "hint: did you mean '--json'? See `lfm list --help`"),
        (["register"], "error: missing expected argument '<file>'", "hint: see `lfm register --help`"),
        (["templates", "show"], "error: missing expected argument '<name>'", "hint: see `lfm templates show --help`"),
        (["train", "--model", "m", "--dataset", "d", "--method", "bad"], "error: --method must be lora, qlora or full; got \"bad\"", "hint: see `lfm train --help`"),
        (["sample", "x.json", "-n", "0"], "error: -n must be positive", "hint: see `lfm sample --help`"),
    ])
    func usageFormat(_ arguments: [String], _ error: String, _ hint: String) async throws {
        let dir = try TempDir()
        let result = try await lfm(arguments, cwd: dir.path)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(Self.lines(result.stderr) == [error, hint])
        #expect(!result.stderr.contains("Usage:") && !result.stderr.contains("Error:"))
    }

    @Test("mixing SFT with preference data is a failure (1), not a usage error")
    func mergeOfDifferentKinds() async throws {
        let dir = try TempDir()
        try dir.write("a.json", #"[{"instruction": "q", "input": "", "output": "a"}]"#)
        try dir.write("p.json", #"[{"instruction": "q", "input": "", "chosen": "a", "rejected": "b"}]"#)
        let result = try await lfm(["merge", "a.json", "p.json", "--out", "m.json"], cwd: dir.path)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("cannot be mixed"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/m.json"))
    }

    @Test("help, version and completion scripts go to stdout with status 0")
    func cleanExits() async throws {
        let dir = try TempDir()
        for arguments in [["--help"], ["list", "--help"], ["help", "train"], ["--version"], ["--generate-completion-script", "bash"]] {
            let result = try await lfm(arguments, cwd: dir.path)
            #expect(result.status == 0, "\(arguments)")
            #expect(!result.stdout.isEmpty && result.stderr.isEmpty, "\(arguments): \(result.stderr)")
        }
    }

    @Test("a failure is one error line, exit 1")
    func failure() async throws {
        let dir = try TempDir()
        let result = try await lfm(["stats", "missing.json"], cwd: dir.path)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(!result.stderr.contains("Error:"))
    }
}
