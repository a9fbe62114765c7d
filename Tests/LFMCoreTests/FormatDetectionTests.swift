import Foundation
import Testing
@testable import LFMCore

/// The formats of the users' guide are detected, registered with a COMPLETE entry (all columns the
/// data uses, all 7 tags for message formats, `ranking` for preference data), and read back by
/// `DatasetEntry` as the same spec.
@Suite("Format detection")
struct FormatDetectionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var file: String
        var content: String
        var columns: [String: String] = [:]
        var format: String
        var entry: String
        var testDescription: String { label }
    }

    static let sharegptTags = #""tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt", "observation_tag": "observation", "function_tag": "function_call", "system_tag": "system"}"#
    static let openAITags = #""tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant", "observation_tag": "tool", "function_tag": "function_call", "system_tag": "system"}"#

    static let cases: [Case] = [
        Case(label: "Alpaca", file: "a.json",
             content: #"[{"instruction": "Say hi", "input": "", "output": "Hi"}, {"instruction": "Add", "input": "1+1", "output": "2"}]"#,
             format: "Alpaca SFT",
             entry: #"{"file_name": "d.json", "formatting": "alpaca", "columns": {"prompt": "instruction", "query": "input", "response": "output"}}"#),
        Case(label: "Alpaca with system and history", file: "a.jsonl",
             content: "{\"instruction\": \"q\", \"input\": \"\", \"output\": \"a\", \"system\": \"be brief\", \"history\": [[\"q0\", \"a0\"]]}\n",
             format: "Alpaca SFT",
             entry: #"{"file_name": "d.jsonl", "formatting": "alpaca", "columns": {"prompt": "instruction", "query": "input", "response": "output", "history": "history", "system": "system"}}"#),
        Case(label: "Alpaca preference", file: "p.json",
             content: #"[{"instruction": "q", "input": "", "chosen": "good", "rejected": "bad"}]"#,
             format: "Alpaca preference",
             entry: #"{"file_name": "d.json", "formatting": "alpaca", "ranking": true, "columns": {"prompt": "instruction", "query": "input", "chosen": "chosen", "rejected": "rejected"}}"#),
        Case(label: "DPO (ShareGPT preference)", file: "dpo.json",
             content: #"[{"conversations": [{"from": "human", "value": "q"}], "chosen": {"from": "gpt", "value": "good"}, "rejected": {"from": "gpt", "value": "bad"}}]"#,
             format: "ShareGPT preference",
             entry: #"{"file_name": "d.json", "formatting": "sharegpt", "ranking": true, "columns": {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"}, \#(sharegptTags)}"#),
        Case(label: "ShareGPT conversations with role/content", file: "c.json",
             content: #"[{"conversations": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}]"#,
             format: "OpenAI messages SFT",
             entry: #"{"file_name": "d.json", "formatting": "sharegpt", "columns": {"messages": "conversations"}, \#(openAITags)}"#),
        Case(label: "OpenAI messages, system first", file: "m.jsonl",
             content: "{\"messages\": [{\"role\": \"system\", \"content\": \"You are helpful.\"}, {\"role\": \"user\", \"content\": \"q\"}, {\"role\": \"assistant\", \"content\": \"a\"}]}\n{\"messages\": [{\"role\": \"user\", \"content\": \"q2\"}, {\"role\": \"assistant\", \"content\": \"a2\"}]}\n",
             format: "OpenAI messages SFT",
             entry: #"{"file_name": "d.jsonl", "formatting": "sharegpt", "columns": {"messages": "messages"}, \#(openAITags)}"#),
        Case(label: "KTO with boolean tag", file: "k.json",
             content: #"[{"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "kto_tag": true}, {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "b"}], "kto_tag": false}]"#,
             format: "OpenAI messages KTO",
             entry: #"{"file_name": "d.json", "formatting": "sharegpt", "columns": {"messages": "messages", "kto_tag": "kto_tag"}, \#(openAITags)}"#),
        Case(label: "Alpaca KTO", file: "ak.json",
             content: #"[{"instruction": "q", "input": "", "output": "a", "kto_tag": true}, {"instruction": "q", "input": "", "output": "b", "kto_tag": false}]"#,
             format: "Alpaca KTO",
             entry: #"{"file_name": "d.json", "formatting": "alpaca", "columns": {"prompt": "instruction", "query": "input", "response": "output", "kto_tag": "kto_tag"}}"#),
        Case(label: "pretrain {\"text\"} JSON Lines", file: "t.jsonl",
             content: "{\"text\": \"doc one\"}\n{\"text\": \"doc two\"}\n",
             format: "pretraining text",
             entry: #"{"file_name": "d.jsonl", "formatting": "alpaca", "columns": {"prompt": "text"}}"#),
        Case(label: "pretrain .txt", file: "t.txt",
             content: "first line\nsecond line\n",
             format: "pretraining text",
             entry: #"{"file_name": "d.txt", "formatting": "alpaca", "columns": {"prompt": "text"}}"#),
        Case(label: "question/answer inferred", file: "qa.json",
             content: #"[{"question": "q", "answer": "a"}]"#,
             format: "Alpaca SFT",
             entry: #"{"file_name": "d.json", "formatting": "alpaca", "columns": {"prompt": "question", "response": "answer"}}"#),
        Case(label: "custom --columns", file: "cu.json",
             content: #"[{"ask": "q", "reply": "a", "note": "unread metadata"}]"#, columns: ["prompt": "ask", "response": "reply"],
             format: "Alpaca SFT",
             entry: #"{"file_name": "d.json", "formatting": "alpaca", "columns": {"prompt": "ask", "response": "reply"}}"#),
        Case(label: "ShareGPT tool calls", file: "tools.json",
             content: #"[{"conversations": [{"from": "human", "value": "q"}, {"from": "function_call", "value": "{}"}, {"from": "observation", "value": "{}"}, {"from": "gpt", "value": "a"}], "tools": "[]"}]"#,
             format: "ShareGPT SFT",
             entry: #"{"file_name": "d.json", "formatting": "sharegpt", "columns": {"messages": "conversations", "tools": "tools"}, \#(sharegptTags)}"#),
    ]

    @Test("detects, registers a complete entry, and round-trips through DatasetEntry", arguments: cases)
    func detectAndRegister(_ c: Case) throws {
        let ws = try TestWorkspace(registry: "{}\n", withDemoData: false)
        let source = try ws.source(c.file, c.content)
        let outcome = try ws.register(source, name: "d") { $0.columns = c.columns }
        #expect(outcome.format?.description == c.format)
        let expected = try JSONParser.parse(c.entry)
        #expect(JSONValue.object(outcome.entry) == expected, "\(JSONPrinter(indent: nil).string(.object(outcome.entry)))")

        let document = try ws.registry.read()
        let entry = try #require(document.entry(named: "d"))
        #expect(JSONValue.object(entry.object) == expected)
        #expect(entry.problems.isEmpty, "\(entry.problems)")

        // The spec LLaMA-Factory reads back is the spec lfm validated with.
        let hint: RecordLayout? = c.file.hasSuffix(".txt") ? .text : nil
        let sample = try FileValidator.sample(path: source, layoutHint: hint)
        let detected = try FormatDetector(columnOverrides: c.columns).detect(sample: sample.records, layout: sample.layout)
        #expect(entry.spec.formatting == detected.spec.formatting)
        #expect(entry.spec.ranking == detected.spec.ranking)
        #expect(entry.spec.columns == detected.spec.columns)
        if detected.spec.usesMessages { #expect(entry.spec.tags == detected.spec.tags) }
        #expect(entry.kind == detected.format.kind)

        // And the registered file validates cleanly under the entry as written.
        let report = try FileValidator(spec: entry.spec).validate(path: ws.registry.resolve(fileName: outcome.fileName), layoutHint: hint)
        #expect(!report.hasErrors, "\(report.issues.map(\.message))")
    }

    /// Message formats must carry every tag, system_tag included: LLaMA-Factory sets missing tags
    /// to None and then rejects a leading system message (REFERENCE a.3).
    @Test("message-format entries list all 7 tags", arguments: cases.filter { $0.entry.contains("sharegpt") })
    func allTags(_ c: Case) throws {
        let entry = try JSONParser.parse(c.entry)
        #expect(entry["tags"]?.objectValue?.keys == TagMap.keys)
    }

    static let demo: [(file: String, name: String)] = [
        ("alpaca_en_demo.json", "alpaca_en_demo"), ("identity.json", "identity"), ("dpo_en_demo.json", "dpo_en_demo"),
        ("kto_en_demo.json", "kto_en_demo"), ("glaive_toolcall_en_demo.json", "glaive_toolcall_en_demo"),
        ("mllm_demo.json", "mllm_demo"), ("c4_demo.jsonl", "c4_demo"), ("wiki_demo.txt", "wiki_demo"),
    ]

    @Test("the LLaMA-Factory demo files are detected as their shipped entries describe them", arguments: demo)
    func demoFiles(_ file: String, _ name: String) throws {
        let shipped = try #require(try RegistryDocument(bytes: fixtureBytes("dataset_info.json")).entry(named: name))
        let hint: RecordLayout? = file.hasSuffix(".txt") ? .text : nil
        let sample = try FileValidator.sample(path: fixturePath(file), layoutHint: hint)
        let detected = try FormatDetector().detect(sample: sample.records, layout: sample.layout)
        #expect(detected.spec.formatting == shipped.spec.formatting)
        #expect(detected.spec.ranking == shipped.spec.ranking)
        #expect(detected.format.kind == shipped.kind)
        for role in ["prompt", "messages", "chosen", "rejected", "kto_tag", "tools", "images"] {
            if role == "messages" && !shipped.spec.usesMessages { continue }
            if let field = shipped.spec.columns[role: role] { #expect(detected.spec.columns[role: role] == field, "\(role)") }
        }
        // Both the shipped entry and the detected spec accept every record.
        for spec in [shipped.spec, detected.spec] {
            let report = try FileValidator(spec: spec).validate(path: fixturePath(file), layoutHint: hint)
            #expect(report.errorCount == 0, "\(report.issues.prefix(3).map(\.message))")
            #expect(report.records == sample.records.count)
        }
    }

    @Test("DataFormat.parse accepts every advertised name and nothing else")
    func formatNames() {
        for name in DataFormat.names { #expect(DataFormat.parse(name) != nil, "\(name)") }
        #expect(DataFormat.parse("dpo")! == (nil, .preference))
        #expect(DataFormat.parse("sharegpt-kto")! == (.sharegpt, .kto))
        for bad in ["", "alpacca", "sharegpt-foo", "json"] { #expect(DataFormat.parse(bad) == nil, "\(bad)") }
    }

    @Test("DatasetEntry applies LLaMA-Factory's partial-columns semantics")
    func partialColumns() throws {
        let partial = DatasetEntry(name: "x", object: try #require(try json(#"{"file_name": "x.json", "columns": {"system": "system"}}"#).objectValue))
        #expect(partial.spec.columns.prompt == nil && partial.spec.columns.response == nil)
        #expect(partial.problems.contains { $0.contains("columns maps neither prompt nor query") })
        let misspelled = DatasetEntry(name: "y", object: try #require(try json(#"{"file_name": "y.json", "format": "sharegpt"}"#).objectValue))
        #expect(misspelled.spec.formatting == .alpaca)
        #expect(misspelled.problems.contains { $0.contains("did you mean \"formatting\"?") })
        let tags = DatasetEntry(name: "z", object: try #require(try json(#"{"file_name": "z.json", "formatting": "sharegpt", "columns": {"messages": "m"}, "tags": {"role_tag": "role"}}"#).objectValue))
        #expect(tags.problems.contains { $0.contains("tags lacks content_tag, user_tag, assistant_tag") })
        #expect(tags.spec.tags.systemTag == nil)
    }
}
