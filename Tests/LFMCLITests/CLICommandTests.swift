import Foundation
import Testing
import TestSupport

/// The built `lfm` binary, run as users run it: exit codes, --json, --dry-run, init, NO_COLOR.
@Suite("lfm commands", .enabled(if: binaryAvailable))
struct CLICommandTests {
    static let ok = #"{"instruction": "q", "input": "", "output": "a"}"#

    @Test("exit status 64 for usage errors, with the problem on stderr", arguments: [
        (["register", "x.json", "--bogus-flag"], "error: unknown option '--bogus-flag'"),
        (["register", "x.json", "--format", "bogus"], "unknown format \"bogus\""),
        (["register", "x.json", "--format", ""], "unknown format \"\""),
        (["register", "x.json", "--columns", "nonsense=q"], "unknown column role \"nonsense\""),
        (["register", "x.json", "--columns", "prompt"], "--columns expects key=value pairs"),
        (["register", "x.json", "--tags", "speaker=x"], "unknown tag \"speaker\""),
        (["register", "x.json", "--link", "--in-place"], "--link and --in-place cannot be combined"),
        (["validate", "x.json", "--format", "bogus"], "unknown format \"bogus\""),
        (["validate", "x.json", "--columns", "nonsense=q"], "unknown column role \"nonsense\""),
        (["frobnicate"], "error: unknown command 'frobnicate'"),
        (["register"], "error: missing expected argument '<file>'"),
    ])
    func usageErrors(_ arguments: [String], _ fragment: String) async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        try dir.write("x.json", "[\(Self.ok)]")
        let before = dir.snapshot("lf")
        let scoped = ["register", "validate"].contains(arguments[0]) && arguments.count > 1
        let result = try await lfm(arguments + (scoped ? ["--lf-dir", root] : []), cwd: dir.path)
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(dir.snapshot("lf") == before)
    }

    @Test("exit status 0 on success and 1 on invalid data, missing names, missing files")
    func exitCodes() async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        let good = try dir.write("good.json", "[\(Self.ok)]")
        let bad = try dir.write("bad.json", #"[{"instruction": "q", "input": "", "output": {"a": 1}}]"#)
        #expect(try await lfm(["--help"], cwd: dir.path).status == 0)
        #expect(try await lfm(["--version"], cwd: dir.path).status == 0)
        #expect(try await lfm(["validate", good], cwd: dir.path).status == 0)
        let invalid = try await lfm(["validate", bad], cwd: dir.path)
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("\"output\" must be a string, found an object"))
        let rejected = try await lfm(["register", bad, "--lf-dir", root], cwd: dir.path)
        #expect(rejected.status == 1)
        #expect(rejected.stderr.contains("nothing was registered"))
        #expect(try await lfm(["register", good, "--lf-dir", root], cwd: dir.path).status == 0)
        let again = try await lfm(["register", good, "--lf-dir", root], cwd: dir.path)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already registered"))
        let show = try await lfm(["show", "alpaca_en_dem", "--lf-dir", root], cwd: dir.path)
        #expect(show.status == 1)
        #expect(show.stderr.contains("did you mean \"alpaca_en_demo\"?"))
        #expect(try await lfm(["remove", "nope", "--lf-dir", root], cwd: dir.path).status == 1)
        #expect(try await lfm(["validate", "missing.json", "--lf-dir", root], cwd: dir.path).status == 1)
        #expect(try await lfm(["validate", "alpaca_en_demo", "--lf-dir", root], cwd: dir.path).status == 0)
    }

    @Test("--json output parses and carries every issue")
    func jsonOutput() async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        let bad = try dir.write("bad.json", """
        [{"instruction": "", "input": "", "output": "a"},
         {"instruction": "q", "input": "", "output": "a", "history": "nope"},
        \((0..<9).map { #"{"instruction": "q", "input": "", "output": ["x\#($0)"]}"# }.joined(separator: ",\n"))]
        """)
        let validate = try await lfm(["validate", bad, "--json"], cwd: dir.path)
        #expect(validate.status == 1)
        let report = try #require((validate.json as? [String: Any])?["report"] as? [String: Any])
        let issues = try #require(report["issues"] as? [[String: Any]])
        #expect(issues.count == 11)
        #expect(issues.compactMap { $0["record"] as? Int } == Array(0...10))
        #expect((report["counts"] as? [String: Int]) == ["response-not-string": 9, "empty-prompt": 1, "history-not-pairs": 1])
        // The human output shows 5 per group and says where the rest are.
        let human = try await lfm(["validate", bad], cwd: dir.path)
        #expect(human.stderr.contains("[response-not-string] 9 records"))
        #expect(human.stderr.contains("… and 4 more (--json lists them all)"))

        let register = try await lfm(["register", bad, "--json", "--lf-dir", root], cwd: dir.path)
        #expect(register.status == 1)
        #expect((register.json as? [String: Any])?["registered"] as? Bool == false)

        let good = try dir.write("good.json", "[\(Self.ok)]")
        let registered = try #require(try await lfm(["register", good, "--json", "--lf-dir", root], cwd: dir.path).json as? [String: Any])
        #expect(registered["registered"] as? Bool == true)
        #expect(registered["name"] as? String == "good")
        #expect((registered["entry"] as? [String: Any])?["file_name"] as? String == "good.json")

        let list = try #require(try await lfm(["list", "--json", "--lf-dir", root], cwd: dir.path).json as? [String: Any])
        let names = try #require((list["datasets"] as? [[String: Any]])?.compactMap { $0["name"] as? String })
        #expect(names.count == 105)
        #expect(names.last == "good")

        let show = try #require(try await lfm(["show", "dpo_en_demo", "--json", "--lf-dir", root], cwd: dir.path).json as? [String: Any])
        #expect(show.isEmpty == false)

        let removed = try #require(try await lfm(["remove", "good", "--json", "--lf-dir", root], cwd: dir.path).json as? [String: Any])
        #expect(removed["removed"] as? Bool == true)
        #expect(try dir.bytes("lf/data/dataset_info.json") == Data(contentsOf: URL(fileURLWithPath: fixturePath("dataset_info.json"))))
    }

    @Test("--dry-run changes nothing", arguments: [
        ["register", "NEW", "--dry-run"], ["register", "NEW", "--name", "alpaca_en_demo", "--force", "--dry-run"],
        ["remove", "alpaca_en_demo", "--dry-run"], ["remove", "alpaca_en_demo", "--delete-file", "--dry-run"],
    ])
    func dryRun(_ arguments: [String]) async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        let new = try dir.write("new.json", "[\(Self.ok)]")
        let before = dir.snapshot("lf")
        let result = try await lfm(arguments.map { $0 == "NEW" ? new : $0 } + ["--lf-dir", root], cwd: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Would"))
        #expect(dir.snapshot("lf") == before)
    }

    @Test("lfm init creates a workspace; list, register and remove then work inside it without flags")
    func initWorkspace() async throws {
        let dir = try TempDir()
        let dry = try await lfm(["init", "ws", "--dry-run"], cwd: dir.path)
        #expect(dry.status == 0 && dry.stdout.contains("Would create"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/ws"))

        let created = try await lfm(["init", "ws", "--json"], cwd: dir.path)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try dir.bytes("ws/data/dataset_info.json") == Data("{}\n".utf8))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/ws/lfm.yaml"))
        #expect(((created.json as? [String: Any])?["created"] as? [String])?.count == 3)

        let inside = try dir.mkdir("ws/notes/deep")
        let empty = try await lfm(["list", "--json"], cwd: inside)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(((empty.json as? [String: Any])?["datasets"] as? [Any])?.isEmpty == true)

        let file = try dir.write("ws/notes/corpus.txt", "line one\nline two\n")
        #expect(try await lfm(["register", file], cwd: inside).status == 0)
        let listed = try await lfm(["list"], cwd: inside)
        #expect(listed.stdout.contains("corpus"))
        #expect(try await lfm(["remove", "corpus", "--delete-file"], cwd: inside).status == 0)
        #expect(try dir.bytes("ws/data/dataset_info.json") == Data("{}\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/ws/data/corpus.txt"))

        let again = try await lfm(["init", "ws"], cwd: dir.path)
        #expect(again.status == 0 && again.stdout.contains("already an lfm workspace"))
    }

    static let scriptAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/script")

    /// On a terminal lfm paints; NO_COLOR turns it off; pipes never get escape codes.
    @Test("NO_COLOR: no escape codes", .enabled(if: scriptAvailable))
    func noColor() async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        let bad = try dir.write("bad.json", #"[{"instruction": "q", "input": "", "output": 1}]"#)
        let binary = try #require(lfmBinary)
        let command = "\(binary) validate \(bad); \(binary) list --lf-dir \(root)"
        let tty = try await lfm(["-qfc", command, "/dev/null"].map { $0 }, cwd: dir.path, environment: [:], viaScript: true)
        #expect(tty.stdout.contains("\u{1B}["), "expected colour on a terminal")
        let noColor = try await lfm(["-qfc", command, "/dev/null"], cwd: dir.path, environment: ["NO_COLOR": "1"], viaScript: true)
        #expect(!noColor.stdout.contains("\u{1B}["))
        #expect(noColor.stdout.contains("\"output\" must be a string"))
        let piped = try await lfm(["validate", bad], cwd: dir.path)
        #expect(!piped.stdout.contains("\u{1B}") && !piped.stderr.contains("\u{1B}"))
    }
}

/// Runs `script` (a pseudo-terminal, TERM=xterm) instead of lfm directly; what lfm printed is
/// on the terminal, so in `stdout`.
func lfm(_ arguments: [String], cwd: String, environment: [String: String?], viaScript: Bool) async throws -> CLIResult {
    var env: [String: String?] = ["TERM": "xterm"]
    env.merge(environment) { $1 }
    return try await RunningLFM(arguments, cwd: cwd, environment: env, executable: "/usr/bin/script").wait()
}
