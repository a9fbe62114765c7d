import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8, "done means": bad inputs of every kind (syntax, encoding, types per format, special
/// files, symlinks, permissions, names) through the real `lfm register` and `lfm validate`. Each
/// must exit 1 with a message naming the file (and the record where there is one), never end by
/// a signal or hang, and leave the workspace and the inputs byte for byte as they were.
@Suite("Adversarial corpus", .enabled(if: binaryAvailable))
struct AdversarialCorpusTests {
    struct Case: Sendable {
        var label: String
        /// The path given to lfm, relative to the corpus folder.
        var path: String
        var extra: [String] = []
        /// The message must mention a record ("record N").
        var record = false
        /// Only `register` applies (the file itself is fine; the name is not).
        var registerOnly = false
        /// Text the message must contain instead of the file name.
        var mentions: String?
    }

    /// Writes the corpus into `dir` and returns its cases.
    static func corpus(in dir: TempDir) throws -> [Case] {
        var cases: [Case] = []
        func write(_ name: String, _ content: [UInt8]) throws {
            let full = dir.path + "/" + name
            try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(content).write(to: URL(fileURLWithPath: full))
        }
        func bytes(_ name: String, _ content: [UInt8], record: Bool = false) throws {
            try write(name, content)
            cases.append(Case(label: name, path: name, record: record))
        }
        func text(_ name: String, _ content: String, record: Bool = false) throws { try bytes(name, Array(content.utf8), record: record) }

        // Syntax.
        try text("syntax/empty.json", "")
        try text("syntax/whitespace.json", "  \n\n\t")
        try text("syntax/unclosed-array.json", #"[{"instruction": "q", "output": "a"}"#)
        try text("syntax/trailing-comma.json", #"[{"instruction": "q", "output": "a"},]"#)
        try text("syntax/missing-colon.json", #"[{"instruction" "q", "output": "a"}]"#)
        try text("syntax/single-quotes.json", "[{'instruction': 'q', 'output': 'a'}]")
        try text("syntax/comment.json", "// records\n" + #"[{"instruction": "q", "output": "a"}]"#)
        try text("syntax/garbage-after.json", #"[{"instruction": "q", "output": "a"}] x"#)
        try text("syntax/truncated-string.json", #"[{"instruction": "q"#)
        try text("syntax/number-top.json", "42")
        try text("syntax/string-top.json", #""hello""#)
        try text("syntax/null-top.json", "null")
        try text("syntax/empty-array.json", "[]")
        try text("syntax/raw-control-char.json", "[{\"instruction\": \"a\u{01}b\", \"output\": \"a\"}]")
        try text("syntax/bad-escape.json", #"[{"instruction": "\q", "output": "a"}]"#)
        try text("syntax/deep-nesting.json", String(repeating: "[", count: 200_000))
        try text("syntax/deep-objects.json", "[" + String(repeating: #"{"a":"#, count: 100_000))
        try text("syntax/jsonl-bad-line.jsonl", #"{"instruction": "q", "output": "a"}"# + "\n{bad\n")
        try text("syntax/jsonl-blank-only.jsonl", "\n\n\n")
        try text("syntax/jsonl-truncated.jsonl", #"{"instruction": "q", "output": "a"}"# + "\n" + #"{"instruction": "q", "out"#)
        try text("syntax/jsonl-two-per-line.jsonl", #"{"instruction": "q", "output": "a"} {"instruction": "q", "output": "a"}"# + "\n")
        try text("syntax/jsonl-array-line.jsonl", "[1, 2]\n")
        // Encoding.
        try bytes("encoding/utf16le-bom.json", [0xFF, 0xFE] + Array(#"[{"instruction": "q", "output": "a"}]"#.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        try bytes("encoding/utf16be.json", Array(#"[{"instruction": "q", "output": "a"}]"#.utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        try bytes("encoding/latin1.json", Array(#"[{"instruction": "caf"#.utf8) + [0xE9] + Array(#"", "output": "a"}]"#.utf8))
        try bytes("encoding/invalid-key.json", Array(#"[{"instr"#.utf8) + [0xFF] + Array(#"uction": "q", "output": "a"}]"#.utf8))
        try bytes("encoding/overlong.json", Array(#"[{"instruction": ""#.utf8) + [0xC0, 0xAF] + Array(#"", "output": "a"}]"#.utf8))
        try bytes("encoding/nul-after.json", Array(#"[{"instruction": "q", "output": "a"}]"#.utf8) + [0x00])
        try bytes("encoding/truncated-utf8.json", Array(#"[{"instruction": "q", "output": ""#.utf8) + [0xE2, 0x82])
        try bytes("encoding/binary.txt", [0xFF, 0xFE, 0x00, 0x01, 0x0A])
        try bytes("encoding/invalid-utf8.jsonl", Array(#"{"instruction": "q"#.utf8) + [0xED, 0xA0, 0x80] + Array(#"", "output": "a"}"#.utf8) + [0x0A])
        // Types, alpaca.
        try text("alpaca/instruction-number.json", #"[{"instruction": 5, "input": "", "output": "a"}]"#, record: true)
        try text("alpaca/instruction-null.json", #"[{"instruction": null, "output": "a"}]"#)
        try text("alpaca/output-number.json", #"[{"instruction": "q", "input": "", "output": 7}]"#, record: true)
        try text("alpaca/no-output.json", #"[{"instruction": "q", "input": ""}]"#)
        try text("alpaca/input-array.json", #"[{"instruction": "q", "input": ["x"], "output": "a"}]"#, record: true)
        try text("alpaca/history-string.json", #"[{"instruction": "q", "output": "a", "history": "x"}]"#, record: true)
        try text("alpaca/history-short-pair.json", #"[{"instruction": "q", "output": "a", "history": [["only"]]}]"#, record: true)
        try text("alpaca/system-number.json", #"[{"instruction": "q", "output": "a", "system": 3}]"#, record: true)
        try text("alpaca/records-are-strings.json", #"["a", "b"]"#)
        try text("alpaca/mixed-record.json", #"[{"instruction": "q", "output": "a"}, 5]"#, record: true)
        try text("alpaca/all-empty.json", #"[{"instruction": "", "input": "", "output": ""}]"#, record: true)
        try text("alpaca/type-change.jsonl", #"{"instruction": "q", "output": "a"}"# + "\n" + #"{"instruction": "q", "output": ["a"]}"# + "\n", record: true)
        // Types, ShareGPT.
        try text("sharegpt/conversations-string.json", #"[{"conversations": "hi"}]"#)
        try text("sharegpt/conversations-empty.json", #"[{"conversations": [{"from": "human", "value": "q"}]}, {"conversations": []}]"#, record: true)
        try text("sharegpt/assistant-first.json", #"[{"conversations": [{"from": "gpt", "value": "a"}, {"from": "human", "value": "q"}]}]"#, record: true)
        try text("sharegpt/unknown-role.json", #"[{"conversations": [{"from": "alien", "value": "q"}, {"from": "gpt", "value": "a"}]}]"#, record: true)
        try text("sharegpt/value-number.json", #"[{"conversations": [{"from": "human", "value": 5}, {"from": "gpt", "value": "a"}]}]"#, record: true)
        try text("sharegpt/odd-turns.json", #"[{"conversations": [{"from": "human", "value": "q"}]}]"#, record: true)
        try text("sharegpt/messages-are-strings.json", #"[{"conversations": ["q", "a"]}]"#)
        // Types, OpenAI.
        try text("openai/role-missing.json", #"[{"messages": [{"content": "q"}, {"role": "assistant", "content": "a"}]}, {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}]"#, record: true)
        try text("openai/content-number.json", #"[{"messages": [{"role": "user", "content": 5}, {"role": "assistant", "content": "a"}]}]"#, record: true)
        try text("openai/system-late.json", #"[{"messages": [{"role": "user", "content": "q"}, {"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}]}]"#, record: true)
        // Types, preference and pretraining.
        try text("preference/rejected-number.json", #"[{"instruction": "q", "chosen": "a", "rejected": 5}]"#, record: true)
        try text("preference/sharegpt-chosen-string.json", #"[{"conversations": [{"from": "human", "value": "q"}], "chosen": {"from": "gpt", "value": "a"}, "rejected": "b"}]"#, record: true)
        try text("pretrain/text-number.json", #"[{"text": 5}]"#, record: true)
        try text("pretrain/empty.txt", "")
        // Unsupported types.
        try text("types/data.xml", "<records/>")
        try text("types/noextension", alpacaRecord)

        // Special files.
        for folder in ["special", "links", "folders"] { _ = try dir.mkdir(folder) }
        try makeFIFO(dir.path + "/special/pipe.json")
        cases.append(Case(label: "FIFO", path: "special/pipe.json"))
        try makeFIFO(dir.path + "/special/pipe2.jsonl")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/special/to-pipe.jsonl", withDestinationPath: "pipe2.jsonl")
        cases.append(Case(label: "symlink to a FIFO", path: "special/to-pipe.jsonl"))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/special/null.json", withDestinationPath: "/dev/null")
        cases.append(Case(label: "symlink to /dev/null", path: "special/null.json"))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/special/zero.jsonl", withDestinationPath: "/dev/zero")
        cases.append(Case(label: "symlink to /dev/zero", path: "special/zero.jsonl"))
        _ = try dir.mkdir("folders/empty")
        cases.append(Case(label: "empty folder", path: "folders/empty"))
        try write("folders/hidden/.DS_Store", Array("x".utf8))
        try write("folders/hidden/a.json", Array(alpacaRecord.utf8))
        cases.append(Case(label: "folder with a hidden file", path: "folders/hidden"))
        try write("folders/mixed/a.json", Array(alpacaRecord.utf8))
        try write("folders/mixed/b.csv", Array("instruction,output\nq,a\n".utf8))
        cases.append(Case(label: "folder mixing types", path: "folders/mixed"))
        try write("folders/with-pipe/a.json", Array(alpacaRecord.utf8))
        try makeFIFO(dir.path + "/folders/with-pipe/b.json")
        cases.append(Case(label: "folder holding a FIFO", path: "folders/with-pipe", mentions: "b.json"))
        // Symlinks.
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/links/dangling.json", withDestinationPath: "missing.json")
        cases.append(Case(label: "dangling symlink", path: "links/dangling.json"))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/links/loop-a.json", withDestinationPath: "loop-b.json")
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/links/loop-b.json", withDestinationPath: "loop-a.json")
        cases.append(Case(label: "symlink loop", path: "links/loop-a.json"))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/links/self.json", withDestinationPath: "self.json")
        cases.append(Case(label: "self-referencing symlink", path: "links/self.json"))
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/links/to-bad.json", withDestinationPath: "../syntax/trailing-comma.json")
        cases.append(Case(label: "symlink to a bad file", path: "links/to-bad.json"))
        // Names (the file is fine; the name is not).
        try write("names/fine.json", Array(alpacaRecord.utf8))
        for name in ["a,b", "../x", " lead", "a b", "", "abc\u{202E}gpj", "zero\u{200B}width", "dataset_info", "esc\u{1B}[31m", "x/y", "..", "bell\u{07}"] {
            cases.append(Case(label: "name \(name.debugDescription)", path: "names/fine.json", extra: ["--name", name], registerOnly: true, mentions: "name"))
        }
        // Permissions: root reads any file whatever its mode, so an unreadable input exists only
        // for other users (the read-only registry is covered in RegistryMessageTests).
        if getuid() != 0 {
            try text("permissions/unreadable.json", alpacaRecord)
            _ = chmod(dir.path + "/permissions/unreadable.json", 0)
        }
        return cases
    }

    @Test("at least 60 bad inputs: register and validate exit 1 naming the file; nothing changes")
    func corpus() async throws {
        let dir = try TempDir()
        let root = try smallWorkspace(dir)
        let corpusDir = try TempDir("lfm-corpus")
        let cases = try Self.corpus(in: corpusDir)
        #expect(cases.count >= 60, "\(cases.count) cases")
        var workspaceBefore = tree(root)
        let corpusBefore = tree(corpusDir.path)
        var failures = 0
        for item in cases {
            let commands: [[String]] = item.registerOnly ? [["register"]] : [["register"], ["validate"]]
            for command in commands {
                let arguments = command + [item.path] + item.extra + ["--lf-dir", root]
                let result = try await lfmAwait(arguments, cwd: corpusDir.path, timeout: 120)
                let context = "\(item.label) [\(command[0])]: status \(result.status)\n\(result.stderr)"
                #expect(!result.timedOut, "hung: \(context)")
                #expect(result.status == 1, "\(context)")
                let needle = item.mentions ?? (item.path as NSString).lastPathComponent
                #expect(result.stderr.contains(needle), "message does not name \(needle): \(context)")
                if item.record { #expect(result.stderr.contains("record "), "no record named: \(context)") }
                #expect(!result.stderr.contains("::"), "empty location: \(context)")
                let after = tree(root)
                if after != workspaceBefore {
                    failures += 1
                    Issue.record("\(item.label) [\(command[0])] changed the workspace: \(after.filter { workspaceBefore[$0.key] != $0.value }.keys.sorted())")
                    workspaceBefore = after  // judge the next case on its own
                }
            }
        }
        #expect(tree(corpusDir.path) == corpusBefore, "the inputs changed")
        #expect(failures == 0)
    }
}
