import Foundation
import Testing

/// Small things a newcomer notices: plurals, `show -n 0`, one label per role, pretraining text.
@Suite("output polish", .enabled(if: binaryAvailable))
struct PolishTests {
    @Test("one record is `1 record`")
    func singular() async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        try dir.write("one.json", #"[{"instruction": "q", "input": "", "output": "a"}]"#)
        let validate = try await lfm(["validate", "one.json", "--lf-dir", root], cwd: dir.path)
        #expect(validate.stdout.contains("1 record, 0 errors, 0 warnings"), "\(validate.stdout)")
        let register = try await lfm(["register", "one.json", "--lf-dir", root], cwd: dir.path)
        #expect(register.status == 0)
        #expect(!(register.stdout + register.stderr).contains("1 records"), "\(register.stdout)")
        let sample = try await lfm(["sample", "one.json", "-n", "1", "--out", "s.json"], cwd: dir.path)
        #expect(!(sample.stdout + sample.stderr).contains("1 records"), "\(sample.stdout)\(sample.stderr)")
        // Every file lfm writes is validated, the sample too.
        #expect(sample.stdout.contains("s.json passes lfm validate (1 record, no warnings)"), "\(sample.stdout)")
    }

    @Test("show -n 0 shows the entry and no record")
    func showNone() async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        let result = try await lfm(["show", "alpaca_en_demo", "-n", "0", "--lf-dir", root], cwd: dir.path)
        #expect(result.status == 0)
        #expect(result.stdout.contains("alpaca_en_demo.json"))
        #expect(!result.stdout.contains("record 0"))
    }

    @Test("ShareGPT from/value and OpenAI role/content turns get the same labels")
    func roleLabels() async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        try dir.write("chat.json", #"[{"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "hello"}]}]"#)
        try dir.write("msgs.json", #"[{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}]"#)
        for file in ["chat.json", "msgs.json"] {
            #expect(try await lfm(["register", file, "--lf-dir", root], cwd: dir.path).status == 0)
        }
        let sharegpt = try await lfm(["show", "chat", "--lf-dir", root], cwd: dir.path).stdout
        let openai = try await lfm(["show", "msgs", "--lf-dir", root], cwd: dir.path).stdout
        for shown in [sharegpt, openai] {
            let record = try #require(shown.components(separatedBy: "record 0").last)
            #expect(record.contains("user      hi") && record.contains("assistant hello"), "\(shown)")
            #expect(!record.contains("human") && !record.contains("gpt "))
        }
    }

    @Test("pretraining text is listed as FORMAT text, not alpaca")
    func pretrainFormat() async throws {
        let dir = try TempDir()
        let root = try dir.checkout()
        let result = try await lfm(["list", "--lf-dir", root, "--wide"], cwd: dir.path)
        let wiki = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("wiki_demo ") })
        #expect(wiki.contains(" text ") && !wiki.contains("alpaca"), "\(wiki)")
    }

    @Test("validate: a mistyped file outside a workspace is a missing file; a hub dataset gets no check mark")
    func validateMessages() async throws {
        let dir = try TempDir()
        let missing = try await lfm(["validate", "mydata.jsn"], cwd: dir.path)
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("error: mydata.jsn: no such file"), "\(missing.stderr)")
        #expect(!missing.stderr.contains("//"))
        let root = try dir.checkout()
        let hub = try await lfm(["validate", "alpaca_en", "--lf-dir", root], cwd: dir.path)
        #expect(hub.status == 0)
        #expect(!hub.stdout.contains("✔") && hub.stdout.contains("records not checked"), "\(hub.stdout)")
    }

    @Test("dedupe shows it is working on a terminal, and nothing when piped")
    func dedupeProgress() async throws {
        let dir = try TempDir()
        let records = (0..<20000).map { #"{"instruction": "question number \#($0) about routers", "input": "", "output": "answer \#($0)"}"# }
        try dir.write("big.json", "[" + records.joined(separator: ",\n") + "]")
        let binary = try #require(lfmBinary)
        // --no-near keeps it short (under a second here); the first frame is drawn at once.
        let tty = try await lfm(["-qfc", "\(binary) dedupe big.json --no-near", "/dev/null"], cwd: dir.path, environment: ["NO_COLOR": "1"], viaScript: true)
        #expect(tty.stdout.contains("deduplicating big.json ("), "\(tty.stdout.prefix(300))")
        let piped = try await lfm(["dedupe", "big.json", "--no-near"], cwd: dir.path)
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("deduplicating"))
    }

    @Test("merge names what its warnings are")
    func mergeWarnings() async throws {
        let dir = try TempDir()
        try dir.write("a.json", #"[{"instruction": "q", "input": "", "output": "a"}]"#)
        try dir.write("b.json", #"[{"instruction": "q", "input": "", "output": "a"}]"#)
        let result = try await lfm(["merge", "a.json", "b.json", "--out", "m.json"], cwd: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("2 records, 1 warning (1 duplicate)"), "\(result.stdout)")
    }
}
