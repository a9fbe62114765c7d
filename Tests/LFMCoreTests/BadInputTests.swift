import Foundation
import Testing
@testable import LFMCore

/// A corpus of bad inputs. Each must fail with a precise message and leave the workspace (data
/// directory listing, every file's bytes, the registry) exactly as it was.
@Suite("Bad inputs")
struct BadInputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var file: String
        var content: [UInt8]
        var name: String? = "bad"
        var force = false
        var columns: [String: String] = [:]
        var family: DataFormat.Family?
        var fragment: String
        var testDescription: String { label }

        init(_ label: String, _ file: String, _ content: String, name: String? = "bad", force: Bool = false, columns: [String: String] = [:], family: DataFormat.Family? = nil, _ fragment: String) {
            self.init(label, file, Array(content.utf8), name: name, force: force, columns: columns, family: family, fragment)
        }

        init(_ label: String, _ file: String, _ content: [UInt8], name: String? = "bad", force: Bool = false, columns: [String: String] = [:], family: DataFormat.Family? = nil, _ fragment: String) {
            self.label = label; self.file = file; self.content = content; self.name = name; self.force = force
            self.columns = columns; self.family = family; self.fragment = fragment
        }
    }

    static let ok = #"{"instruction": "q", "input": "", "output": "a"}"#

    static let cases: [Case] = [
        Case("truncated JSON", "t.json", "[\(ok), {\"instruction\": \"q\", \"out", "unexpected end of file inside record 1"),
        Case("top-level object spanning lines", "o.json", "{\n  \"data\": [\(ok)]\n}\n", "line ends inside record 0"),
        Case("top-level number", "n.json", "42\n", "expected a JSON array of records ('[') or one JSON object per line ('{'), found '4'"),
        Case("empty file", "e.json", "", "the file is empty"),
        Case("empty array", "ea.json", "[]", "no JSON objects to detect the format from"),
        Case("missing response column in one record", "m.json", "[\(ok), {\"instruction\": \"q2\", \"input\": \"\"}]", "no \"output\" field"),
        Case("no instruction field anywhere", "ni.json", "[{\"foo\": \"x\", \"bar\": \"y\"}]", "cannot find the instruction field: the records have \"foo\", \"bar\""),
        Case("output is an object", "oo.json", "[\(ok), {\"instruction\": \"q\", \"input\": \"\", \"output\": {\"text\": \"a\"}}]", "\"output\" must be a string, found an object"),
        Case("output is a list", "ol.json", "[\(ok), {\"instruction\": \"q\", \"input\": \"\", \"output\": [\"a\", \"b\"]}]", "\"output\" must be a string, found an array"),
        Case("history not pairs", "h.json", "[{\"instruction\": \"q\", \"input\": \"\", \"output\": \"a\", \"history\": [[\"only question\"]]}]", "history entries must be [\"question\", \"answer\"] pairs of strings, found an array of 1"),
        Case("history not a list", "h2.json", "[{\"instruction\": \"q\", \"input\": \"\", \"output\": \"a\", \"history\": \"q a\"}]", "history must be a list of [question, answer] pairs, found a string"),
        Case("empty prompt", "ep.json", "[{\"instruction\": \"  \", \"input\": \"\", \"output\": \"a\"}]", "the user turn is empty"),
        Case("sharegpt role alternation", "s.json", #"[{"conversations": [{"from": "human", "value": "a"}, {"from": "human", "value": "b"}]}]"#, "turns must alternate human → gpt (found \"human\" where an gpt/function_call turn belongs)"),
        Case("sharegpt unknown role", "s2.json", #"[{"conversations": [{"from": "user", "value": "a"}, {"from": "gpt", "value": "b"}, {"from": "human", "value": "c"}, {"from": "gpt", "value": "d"}]}, {"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}]}]"#, "unknown role \"user\""),
        Case("openai role alternation", "oa.json", #"[{"messages": [{"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}, {"role": "user", "content": "b"}]}]"#, "turns must alternate user → assistant"),
        Case("odd turn count", "odd.json", #"[{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}, {"from": "human", "value": "c"}]}]"#, "even number of turns, found 3"),
        Case("preference with even turns", "pe.json", #"[{"conversations": [{"from": "human", "value": "a"}, {"from": "gpt", "value": "b"}], "chosen": {"from": "gpt", "value": "c"}, "rejected": {"from": "gpt", "value": "d"}}]"#, "odd number of turns, found 2"),
        Case("sharegpt chosen is a string", "pc.json", #"[{"conversations": [{"from": "human", "value": "a"}], "chosen": {"from": "gpt", "value": "c"}, "rejected": {"from": "gpt", "value": "d"}}, {"conversations": [{"from": "human", "value": "a"}], "chosen": "c", "rejected": {"from": "gpt", "value": "d"}}]"#, "\"chosen\" must be a message {\"from\": \"gpt\", \"value\": ...}, found a string"),
        Case("sharegpt rejected from the user", "pr.json", #"[{"conversations": [{"from": "human", "value": "a"}], "chosen": {"from": "gpt", "value": "c"}, "rejected": {"from": "human", "value": "d"}}]"#, "\"rejected\" must come from \"gpt\", found \"human\""),
        Case("alpaca chosen is an object", "ac.json", #"[{"instruction": "q", "input": "", "chosen": {"x": 1}, "rejected": "r"}]"#, "\"chosen\" must be a string, found an object"),
        Case("KTO tag is the string \"false\"", "k.json", #"[{"instruction": "q", "input": "", "output": "a", "kto_tag": true}, {"instruction": "q2", "input": "", "output": "b", "kto_tag": "false"}]"#, "\"kto_tag\" must be true or false, found \"false\""),
        Case("KTO with one label only", "k1.json", #"[{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "label": true}, {"messages": [{"role": "user", "content": "q2"}, {"role": "assistant", "content": "b"}], "label": true}]"#, "every record is labelled true (2 true, 0 false)"),
        Case("<image> placeholder count", "img.json", #"[{"messages": [{"role": "user", "content": "<image>What is this?"}, {"role": "assistant", "content": "A cat."}], "images": ["a.jpg", "b.jpg"]}]"#, "1 <image> placeholder(s) in the text but 2 item(s) in \"images\""),
        Case("invalid UTF-8", "u.json", Array("[\n\(ok),\n{\"instruction\": \"".utf8) + [0xFF] + Array("\", \"input\": \"\", \"output\": \"a\"}]".utf8), "invalid UTF-8 byte 0xFF; save the file as UTF-8 (line 3, column 18, byte 69)"),
        Case("record is not an object", "na.json", "[\(ok), \"just text\"]", "record is a string, not an object"),
        Case("field changes type", "tc.json", #"[{"instruction": "q", "input": "", "output": "a", "system": "s"}, {"instruction": "q", "input": "", "output": "b", "system": 5}]"#, "\"system\" must be a string, found a number"),
        Case("name with a comma", "c.json", ok, name: "a,b", "contains a comma"),
        Case("name with a slash", "c.json", ok, name: "a/b", "contains a path separator"),
        Case("name with ..", "c.json", ok, name: "..", "contains \"..\""),
        Case("name with a control character", "c.json", ok, name: "a\u{7}b", "contains a control character"),
        Case("empty name", "c.json", ok, name: "", "the name is empty"),
        Case("name with a space", "c.json", ok, name: "my data", "contains a space"),
        Case("name with edge whitespace", "c.json", ok, name: " data", "starts or ends with whitespace"),
        Case("existing name without --force", "c.json", ok, name: "alpaca_en_demo", "a dataset named \"alpaca_en_demo\" is already registered"),
        Case("unsupported extension", "d.xlsx", "x", "unsupported file type \".xlsx\" (LLaMA-Factory: \"Allowed file types: arrow,csv,json,jsonl,parquet,txt.\")"),
        Case("no extension", "README", "x", "unsupported file type \".\""),
        Case("--columns names a field that no record has", "col.json", ok, columns: ["response": "answer"], "columns.response maps \"answer\" but no record has it"),
        Case("--format openai on alpaca records", "fo.json", ok, family: .openai, "cannot find the conversation list"),
    ]

    static func attempt(_ c: Case, in ws: TestWorkspace) throws -> String {
        let source = try ws.dir.write("incoming/" + c.file, c.content)
        do {
            let outcome = try ws.register(source, name: c.name, force: c.force) { $0.columns = c.columns; $0.family = c.family }
            Issue.record("\(c.label): registered \(outcome.name)")
            return ""
        } catch let RegisterError.invalid(report) {
            return ([String(describing: RegisterError.invalid(report))] + report.issues.map(\.message)).joined(separator: "\n")
        } catch {
            return "\(error)"
        }
    }

    @Test("fails with a precise message and changes nothing", arguments: cases)
    func rejected(_ c: Case) throws {
        let ws = try TestWorkspace()
        let before = try ws.snapshot()
        let message = try Self.attempt(c, in: ws)
        #expect(message.contains(c.fragment), "\(c.label): \(message)")
        let after = try ws.snapshot()
        #expect(after.keys.sorted() == before.keys.sorted(), "\(c.label): data directory listing changed")
        #expect(after == before, "\(c.label): a file in the data directory changed")
    }

    @Test("a folder with a hidden file, or mixed types, is refused", arguments: [
        (["part1.json", ".DS_Store"], "the folder holds .DS_Store"),
        (["part1.json", "part2.jsonl"], "the folder mixes file types (json, jsonl)"),
        (["part1.json", "notes.md"], "unsupported file type \".md\""),
    ])
    func folders(_ files: [String], _ fragment: String) throws {
        let ws = try TestWorkspace()
        for file in files { try ws.dir.write("incoming/folder/" + file, "[\(Self.ok)]") }
        let before = try ws.snapshot()
        #expect {
            try ws.register(ws.root + "/incoming/folder", name: "folder")
        } throws: { error in
            "\(error)".contains(fragment)
        }
        #expect(try ws.snapshot() == before)
    }

    static let corruptRegistries: [(text: String, line: Int, column: Int, fragment: String)] = [
        ("{\n  \"a\": {\"file_name\": \"a.json\"},\n}\n", 3, 1, "expected a property name in double quotes"),
        ("{\n  \"a\": {\"file_name\": \"a.json\"}\n", 3, 1, "unexpected end of file"),
        ("[]\n", 1, 1, "the registry must be a JSON object"),
        ("{\n  'a': {}\n}\n", 2, 3, "expected a property name in double quotes"),
    ]

    @Test("a corrupt registry is never overwritten; the message has line and column", arguments: corruptRegistries.indices)
    func corruptRegistry(_ i: Int) throws {
        let corrupt = Self.corruptRegistries[i]
        let ws = try TestWorkspace(registry: corrupt.text)
        let before = try ws.snapshot()
        let source = try ws.source("fine.json", "[\(Self.ok)]")
        for attempt in 0..<3 {
            #expect {
                switch attempt {
                case 0: _ = try ws.register(source, name: "fine")
                case 1: try ws.registry.unregister(name: "a")
                default: try ws.registry.update { document in (document.adding("x", JSONObject()), ()) }
                }
            } throws: { error in
                let text = "\(error)"
                return text.contains("is not valid JSON (line \(corrupt.line), column \(corrupt.column): \(corrupt.fragment)")
                    && text.contains("lfm will not overwrite it")
            }
        }
        #expect(try ws.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: ws.registryPath + ".bak"))
    }

    @Test("a top-level number registry is refused as 'not an object'")
    func numberRegistry() throws {
        let ws = try TestWorkspace(registry: "42\n")
        #expect { _ = try ws.registry.read() } throws: { "\($0)".contains("the registry must be a JSON object {\"name\": {...}}, found a number") }
        try ws.dir.write("data/dataset_info.json", "42")
        #expect { _ = try ws.registry.read() } throws: { "\($0)".contains("the registry must be a JSON object") }
        #expect(try ws.registryBytes() == Array("42".utf8))
    }

    @Test("--force over an existing name keeps the old entry until validation passes")
    func forceWithInvalidData() throws {
        let ws = try TestWorkspace()
        let before = try ws.snapshot()
        let source = try ws.source("alpaca_en_demo.json", #"[{"instruction": "q", "input": "", "output": 5}]"#)
        #expect(throws: RegisterError.self) { try ws.register(source, name: "alpaca_en_demo", force: true) }
        #expect(try ws.snapshot() == before)
    }

    @Test("dry run validates and builds the entry but writes nothing")
    func dryRun() throws {
        let ws = try TestWorkspace()
        let before = try ws.snapshot()
        let source = try ws.source("fine.json", "[\(Self.ok)]")
        let outcome = try ws.register(source, name: "fine") { $0.dryRun = true }
        #expect(outcome.dryRun)
        #expect(outcome.entry["columns"]?["response"] == .string("output"))
        #expect(try ws.snapshot() == before)
    }
}
