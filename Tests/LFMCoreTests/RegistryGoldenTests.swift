import Foundation
import Testing
@testable import LFMCore

/// Golden tests on the real 104-entry `dataset_info.json`: lfm changes one entry and leaves every
/// other byte of the file as it was.
@Suite("Registry golden")
struct RegistryGoldenTests {
    static let alpacaEntry = "{\n    \"file_name\": \"mine.json\",\n    \"formatting\": \"alpaca\",\n    \"columns\": {\n      \"prompt\": \"instruction\",\n      \"query\": \"input\",\n      \"response\": \"output\"\n    }\n  }"

    @Test("register appends one entry and leaves every other byte alone; .bak holds the previous file")
    func registerAppends() throws {
        let ws = try TestWorkspace()
        let original = try ws.registryBytes()
        let source = try ws.source("mine.json", String(decoding: try fixtureBytes("alpaca_en_demo.json"), as: UTF8.self))
        let outcome = try ws.register(source, name: "mine")
        #expect(outcome.fileName == "mine.json")
        #expect(!outcome.replaced)

        let after = try ws.registryBytes()
        let originalText = String(decoding: original, as: UTF8.self)
        #expect(originalText.hasSuffix("  }\n}\n"))
        let expected = String(originalText.dropLast(3)) + ",\n  \"mine\": " + Self.alpacaEntry + "\n}\n"
        #expect(String(decoding: after, as: UTF8.self) == expected)
        #expect(try ws.dir.readBytes("data/dataset_info.json.bak") == original)
        #expect(try ws.dir.readBytes("data/mine.json") == fixtureBytes("alpaca_en_demo.json"))

        let keys = try #require(try JSONParser.parse(after).objectValue).keys
        #expect(keys.count == 105)
        #expect(Array(keys.dropLast()) == (try JSONParser.parse(original).objectValue!.keys))
        #expect(keys.last == "mine")
    }

    @Test("register then remove gives back the original bytes exactly", arguments: ["mine", "数据集_中文", "ä-ö.ü"])
    func registerRemove(_ name: String) throws {
        let ws = try TestWorkspace()
        let original = try ws.registryBytes()
        let source = try ws.source("in.json", String(decoding: try fixtureBytes("alpaca_zh_demo.json"), as: UTF8.self))
        _ = try ws.register(source, name: name)
        let added = try ws.registryBytes()
        // Non-ASCII names are written as UTF-8, never \u-escaped (ensure_ascii=False).
        #expect(String(decoding: added, as: UTF8.self).contains("\n  \"\(name)\": {\n    \"file_name\": \"\(name).json\""))
        #expect(!String(decoding: added, as: UTF8.self).contains("\\u"))
        let removed = try ws.registry.unregister(name: name)
        #expect(removed.name == name)
        #expect(try ws.registryBytes() == original)
        #expect(try ws.dir.readBytes("data/dataset_info.json.bak") == added)
    }

    @Test("removing an entry at the start, middle or end cuts exactly its text", arguments: ["identity", "kto_en_demo", "alpaca_en_demo", "magpie_ultra", "starcoder_python"])
    func removeCutsExactly(_ name: String) throws {
        let ws = try TestWorkspace()
        let originalText = String(decoding: try ws.registryBytes(), as: UTF8.self)
        let names = try #require(try JSONParser.parse(originalText).objectValue).keys
        let index = try #require(names.firstIndex(of: name))
        let member = try #require(memberRange(originalText, name))
        var expected = originalText
        if index == 0 {
            // `"identity": {...},\n  ` goes; the next key moves up.
            let next = try #require(memberRange(originalText, names[1]))
            expected.removeSubrange(member.lowerBound..<next.lowerBound)
        } else {
            // `,\n  "name": {...}` goes.
            let previous = try #require(memberRange(originalText, names[index - 1]))
            expected.removeSubrange(previous.upperBound..<member.upperBound)
        }
        try ws.registry.unregister(name: name)
        let after = String(decoding: try ws.registryBytes(), as: UTF8.self)
        #expect(after == expected)
        #expect(try JSONParser.parse(after).objectValue?.keys == names.filter { $0 != name })
    }

    @Test("--force replaces an entry's value in place, keeping its position and every other byte")
    func forceReplaces() throws {
        let ws = try TestWorkspace()
        let original = try ws.registryBytes()
        let originalText = String(decoding: original, as: UTF8.self)
        let source = try ws.source("alpaca_en_demo.json", "[{\"question\": \"q\", \"answer\": \"a\"}, {\"question\": \"q2\", \"answer\": \"a2\"}]")
        #expect(throws: RegistryError.self) { try ws.register(source, name: "alpaca_en_demo") }
        #expect(try ws.registryBytes() == original)

        let outcome = try ws.register(source, name: "alpaca_en_demo", force: true)
        #expect(outcome.replaced)
        let member = try #require(memberRange(originalText, "alpaca_en_demo"))
        let newValue = "{\n    \"file_name\": \"alpaca_en_demo.json\",\n    \"formatting\": \"alpaca\",\n    \"columns\": {\n      \"prompt\": \"question\",\n      \"response\": \"answer\"\n    }\n  }"
        var expected = originalText
        expected.replaceSubrange(member, with: "\"alpaca_en_demo\": " + newValue)
        #expect(String(decoding: try ws.registryBytes(), as: UTF8.self) == expected)
        #expect(try ws.dir.readBytes("data/dataset_info.json.bak") == original)
        // The old data file is kept as .bak, the new one is in place.
        #expect(try ws.dir.readBytes("data/alpaca_en_demo.json.bak") == fixtureBytes("alpaca_en_demo.json"))
        #expect(try ws.dir.readBytes("data/alpaca_en_demo.json") == Array(try Data(contentsOf: URL(fileURLWithPath: source))))
        let keys = try JSONParser.parse(try ws.registryBytes()).objectValue?.keys
        #expect(keys == (try JSONParser.parse(original).objectValue?.keys))
    }

    static let styles: [(name: String, text: String, entryPrefix: String)] = [
        ("4 spaces", "{\n    \"a\": {\n        \"file_name\": \"a.json\"\n    }\n}\n", "\n    \"new\": {\n        \"file_name\": \"new.jsonl\",\n        \"formatting\": \"alpaca\",\n        \"columns\": {\n            \"prompt\": \"text\"\n        }\n    }\n}\n"),
        ("tabs", "{\n\t\"a\": {\n\t\t\"file_name\": \"a.json\"\n\t}\n}\n", "\n\t\"new\": {\n\t\t\"file_name\": \"new.jsonl\",\n\t\t\"formatting\": \"alpaca\",\n\t\t\"columns\": {\n\t\t\t\"prompt\": \"text\"\n\t\t}\n\t}\n}\n"),
    ]

    @Test("a registry indented with 4 spaces or tabs keeps its style", arguments: styles.indices)
    func keepsIndentStyle(_ i: Int) throws {
        let style = Self.styles[i]
        let ws = try TestWorkspace(registry: style.text, withDemoData: false)
        let source = try ws.source("new.jsonl", "{\"text\": \"doc one\"}\n{\"text\": \"doc two\"}\n")
        _ = try ws.register(source, name: "new")
        let after = String(decoding: try ws.registryBytes(), as: UTF8.self)
        #expect(after == String(style.text.dropLast(3)) + "," + style.entryPrefix, "\(style.name)")
        try ws.registry.unregister(name: "new")
        #expect(String(decoding: try ws.registryBytes(), as: UTF8.self) == style.text)
    }

    @Test("an empty {} registry gets a 2-space entry and a trailing newline", arguments: ["{}", "{}\n", "{\n}\n", "  { }  "])
    func emptyRegistry(_ text: String) throws {
        let ws = try TestWorkspace(registry: text, withDemoData: false)
        let source = try ws.source("c4.jsonl", "{\"text\": \"doc\"}\n")
        _ = try ws.register(source, name: "c4")
        let after = String(decoding: try ws.registryBytes(), as: UTF8.self)
        #expect(after.contains("{\n  \"c4\": {\n    \"file_name\": \"c4.jsonl\",\n    \"formatting\": \"alpaca\",\n    \"columns\": {\n      \"prompt\": \"text\"\n    }\n  }\n}"))
        #expect(after.hasSuffix("}\n") || after.hasSuffix("  \n"))
        #expect(try JSONParser.parse(after).objectValue?.keys == ["c4"])
        try ws.registry.unregister(name: "c4")
        #expect(try JSONParser.parse(try ws.registryBytes()) == .object(JSONObject()))
    }

    @Test("RegistryDocument reads the entries LLaMA-Factory would: 104, 14 local")
    func documentEntries() throws {
        let document = try RegistryDocument(bytes: try fixtureBytes("dataset_info.json"))
        #expect(document.entries.count == 104)
        #expect(document.indentUnit == "  ")
        let local = document.entries.filter { if case .file = $0.source { return true } else { return false } }
        #expect(local.count == 14)
        #expect(document.entries.allSatisfy { $0.problems.isEmpty }, "\(document.entries.filter { !$0.problems.isEmpty }.map { ($0.name, $0.problems) })")
        let kto = try #require(document.entry(named: "kto_en_demo"))
        #expect(kto.kind == .kto)
        #expect(kto.spec.tags.roleTag == "role" && kto.spec.tags.systemTag == nil)
        #expect(document.entry(named: "dpo_en_demo")?.kind == .preference)
        #expect(document.entry(named: "wiki_demo")?.kind == .pretrain)
        #expect(document.entry(named: "alpaca_en_demo")?.spec == DatasetSpec())
    }
}

@Suite("Registry edge cases")
struct RegistryEdgeTests {
    static let duplicated = "{\n  \"a\": {\n    \"file_name\": \"first.json\"\n  },\n  \"b\": {\n    \"file_name\": \"b.json\"\n  },\n  \"a\": {\n    \"file_name\": \"last.json\"\n  }\n}\n"

    @Test("a duplicated name means what Python's json reads: the last one; remove takes every copy")
    func duplicateKeys() throws {
        let document = try RegistryDocument(text: Self.duplicated)
        #expect(document.entry(named: "a")?.source == .file("last.json"))
        let replaced = String(decoding: document.replacing("a", with: JSONObject([JSONMember("file_name", .string("new.json"))])), as: UTF8.self)
        #expect(replaced.contains("\"file_name\": \"first.json\""))
        #expect(try RegistryDocument(text: replaced).entry(named: "a")?.source == .file("new.json"))
        let removed = try RegistryDocument(bytes: document.removing("a"))
        #expect(removed.names == ["b"])
    }

    @Test("a symlinked dataset_info.json is updated through the link, not replaced by a file")
    func symlinkedRegistry() throws {
        let ws = try TestWorkspace(registry: "{}\n", withDemoData: false)
        let real = try ws.dir.write("shared/dataset_info.json", "{\n  \"x\": {\n    \"file_name\": \"x.json\"\n  }\n}\n")
        try FileManager.default.removeItem(atPath: ws.registryPath)
        try FileManager.default.createSymbolicLink(atPath: ws.registryPath, withDestinationPath: real)
        let source = try ws.source("t.jsonl", "{\"text\": \"doc\"}\n")
        _ = try ws.register(source, name: "t")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: ws.registryPath) == real)
        #expect(try RegistryDocument(bytes: ws.dir.readBytes("shared/dataset_info.json")).names == ["x", "t"])
    }

    @Test("registering over a registry without a trailing newline adds one; the entry is still spliced")
    func noTrailingNewline() throws {
        let ws = try TestWorkspace(registry: "{\n  \"x\": {\n    \"file_name\": \"x.json\"\n  }\n}", withDemoData: false)
        _ = try ws.register(try ws.source("t.jsonl", "{\"text\": \"doc\"}\n"), name: "t")
        let text = String(decoding: try ws.registryBytes(), as: UTF8.self)
        #expect(text.hasPrefix("{\n  \"x\": {\n    \"file_name\": \"x.json\"\n  },\n  \"t\": {"))
        #expect(text.hasSuffix("\n  }\n}\n"))
    }
}

@Suite("Entry problems")
struct EntryProblemTests {
    @Test("malformed entries are reported as LLaMA-Factory would fail on them", arguments: [
        (#""x": 5"#, "the entry is a number, not an object"),
        (#""x": null"#, "the entry is null, not an object"),
        (#""x": ["a.json"]"#, "the entry is an array, not an object"),
        (#""x": {"file_name": "x.json", "tags": 3}"#, "tags should be an object, found a number"),
        (#""x": {"file_name": "x.json", "columns": "prompt"}"#, "columns should be an object, found a string"),
        (#""x": {"file_name": "x.json", "formatting": "chatml"}"#, "formatting \"chatml\" is not alpaca, sharegpt or openai"),
        (#""x": {"file_name": "x.json", "formatting": "openai", "columns": {"messages": "messages"}}"#, "formatting openai without tags"),
        (#""x": {"file_name": "x.json", "formatting": "sharegpt", "columns": {"tools": "tools"}}"#, "columns has no messages mapping"),
        (#""x": {"file_name": "x.json", "file_sha1": "abc"}"#, "\"file_sha1\" is not a key LLaMA-Factory reads"),
        (#""x": {"file_name": "x.json", "ranking": "yes"}"#, "ranking should be true or false, found a string"),
        (#""x": {"split": "train"}"#, "no file_name, hf_hub_url"),
    ])
    func problems(_ member: String, _ fragment: String) throws {
        let document = try RegistryDocument(text: "{\n  \(member)\n}\n")
        let entry = try #require(document.entry(named: "x"))
        #expect(entry.problems.contains { $0.contains(fragment) }, "\(entry.problems)")
    }
}
