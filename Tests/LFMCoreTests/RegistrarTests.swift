import Foundation
import Testing
@testable import LFMCore

/// Placement of the data (copy, link, in place, cleaned copy) and its interplay with --force.
@Suite("Registrar placement")
struct RegistrarTests {
    static let records = #"[{"instruction": "q", "input": "", "output": "a"}, {"instruction": "q2", "input": "", "output": "b"}]"#

    @Test("--link: registering the same file again after remove reuses the existing symlink")
    func relink() throws {
        let ws = try TestWorkspace()
        let source = try ws.source("mine.json", Self.records)
        let first = try ws.register(source) { $0.placement = .link }
        #expect(first.placement == .link)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: ws.dataDir + "/mine.json") == source)
        try ws.registry.unregister(name: "mine")
        let before = try ws.snapshot()
        let again = try ws.register(source) { $0.placement = .link }
        #expect(again.name == "mine")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: ws.dataDir + "/mine.json") == source)
        #expect(!FileManager.default.fileExists(atPath: ws.dataDir + "/mine.json.bak"))
        var after = try ws.snapshot()
        after["dataset_info.json"] = before["dataset_info.json"]
        after["dataset_info.json.bak"] = before["dataset_info.json.bak"]
        #expect(after == before)
    }

    @Test("--link to a different file under a taken path needs --force and keeps the old link as .bak")
    func linkConflict() throws {
        let ws = try TestWorkspace()
        let a = try ws.source("a/mine.json", Self.records)
        let b = try ws.source("b/mine.json", Self.records)
        _ = try ws.register(a) { $0.placement = .link }
        try ws.registry.unregister(name: "mine")
        #expect { try ws.register(b) { $0.placement = .link } } throws: { "\($0)".contains("already exists") }
        _ = try ws.register(b, force: true) { $0.placement = .link }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: ws.dataDir + "/mine.json") == b)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: ws.dataDir + "/mine.json.bak") == a)
    }

    @Test("--link --force on a file that is already in the data directory never replaces it with a symlink to itself")
    func linkInsideDataDir() throws {
        let ws = try TestWorkspace()
        let path = ws.dataDir + "/identity.json"
        let original = try fixtureBytes("identity.json")
        let outcome = try ws.register(path, name: "identity", force: true) { $0.placement = .link }
        #expect(outcome.placement == .inPlace)
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) == nil)
        #expect(try ws.dir.readBytes("data/identity.json") == original)
        #expect(!FileManager.default.fileExists(atPath: path + ".bak"))
        #expect(try ws.registry.read().entry(named: "identity")?.source == .file("identity.json"))
    }

    @Test("a dangling symlink in the way is replaced with --force and refused without")
    func danglingSymlink() throws {
        let ws = try TestWorkspace()
        try FileManager.default.createSymbolicLink(atPath: ws.dataDir + "/mine.json", withDestinationPath: ws.root + "/gone.json")
        let source = try ws.source("mine.json", Self.records)
        #expect { try ws.register(source) } throws: { "\($0)".contains("already exists") }
        _ = try ws.register(source, force: true)
        #expect(try ws.dir.readBytes("data/mine.json") == Array(Self.records.utf8))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: ws.dataDir + "/mine.json.bak") == ws.root + "/gone.json")
    }

    @Test("copying an identical file over itself needs no --force and leaves no .bak")
    func identicalCopy() throws {
        let ws = try TestWorkspace()
        let source = try ws.source("alpaca_en_demo.json", String(decoding: try fixtureBytes("alpaca_en_demo.json"), as: UTF8.self))
        let outcome = try ws.register(source, name: "alpaca_en_demo", force: true)
        #expect(outcome.replaced)
        #expect(!FileManager.default.fileExists(atPath: ws.dataDir + "/alpaca_en_demo.json.bak"))
    }

    @Test("--in-place registers a file where it is, with a relative file_name; outside the data dir it is refused")
    func inPlace() throws {
        let ws = try TestWorkspace()
        try ws.dir.write("data/sub/own.jsonl", "{\"text\": \"doc\"}\n")
        let outcome = try ws.register(ws.dataDir + "/sub/own.jsonl", name: "own") { $0.placement = .inPlace }
        #expect(outcome.fileName == "sub/own.jsonl")
        #expect(try ws.registry.read().entry(named: "own")?.object["file_name"] == .string("sub/own.jsonl"))
        let outside = try ws.source("x.json", Self.records)
        #expect { try ws.register(outside) { $0.placement = .inPlace } } throws: { "\($0)".contains("is not inside the data directory") }
    }

    @Test("--drop-invalid registers a cleaned copy without the bad records, in the source layout", arguments: ["json", "jsonl"])
    func dropInvalid(_ ext: String) throws {
        let ws = try TestWorkspace()
        let good1 = #"{"instruction": "q1", "input": "", "output": "a"}"#
        let bad = #"{"instruction": "q2", "input": "", "output": ["not", "a", "string"]}"#
        let good2 = #"{"instruction": "q3", "input": "", "output": "c"}"#
        let text = ext == "json" ? "[\(good1), \(bad), \(good2)]" : "\(good1)\n\(bad)\n\(good2)\n"
        let source = try ws.source("mixed.\(ext)", text)
        #expect(throws: RegisterError.self) { try ws.register(source) }
        let outcome = try ws.register(source) { $0.dropInvalid = true }
        #expect(outcome.dropped == 1)
        let reader = try RecordReader(path: ws.dataDir + "/mixed.\(ext)")
        var kept: [JSONValue] = []
        try reader.forEach { kept.append($1) }
        #expect(kept == [try json(good1), try json(good2)])
        #expect(reader.layout == (ext == "json" ? .jsonArray : .jsonLines))
        #expect(try ws.dir.readBytes("incoming/mixed.\(ext)") == Array(text.utf8))
    }
}
