import Foundation
import LFMCore
@testable import LFMTools
@_exported import TestSupport

extension TempDir {
    func records(_ name: String, _ records: [JSONValue], jsonl: Bool = false) throws -> String {
        if jsonl {
            return try file(name, records.map { JSONPrinter(indent: nil).string($0) }.joined(separator: "\n") + "\n")
        }
        return try file(name, JSONPrinter(indent: 2).string(.array(records)) + "\n")
    }

}

func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

func readRecords(_ path: String) throws -> [JSONValue] {
    var records: [JSONValue] = []
    try RecordReader(path: path).forEach { _, record in records.append(record) }
    return records
}

func json(_ text: String) -> JSONValue { try! JSONParser.parse(text) }

func conversations(_ path: String) throws -> [Conversation] {
    let input = try DatasetInput.file(path)
    let codec = RecordCodec(spec: input.spec)
    return try readRecords(path).map { try codec.decode($0) }
}

/// Alpaca SFT records: system prompts, history, tools-free, empty input (lossless everywhere).
let alpacaSFT: [JSONValue] = [
    json(#"{"instruction": "Name three colours.", "input": "", "output": "Red, green and blue."}"#),
    json(#"{"instruction": "And two more?", "input": "", "output": "Yellow and purple.", "system": "You are terse.", "history": [["Name three colours.", "Red, green and blue."]]}"#),
    json(#"{"instruction": "翻译成英文：你好", "input": "", "output": "Hello", "system": "你是翻译。"}"#),
    json(#"{"instruction": "Quote \"this\"\n", "input": "", "output": "\"this\"", "id": 7}"#),
]

let alpacaPreference: [JSONValue] = [
    json(#"{"instruction": "Say hi.", "input": "", "chosen": "Hi!", "rejected": "No."}"#),
    json(#"{"instruction": "Again?", "input": "", "chosen": "Hi again!", "rejected": "...", "history": [["Say hi.", "Hi!"]]}"#),
]

let alpacaKTO: [JSONValue] = [
    json(#"{"instruction": "2+2?", "input": "", "output": "4", "kto_tag": true}"#),
    json(#"{"instruction": "2+3?", "input": "", "output": "6", "kto_tag": false}"#),
]
