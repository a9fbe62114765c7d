import Testing
@testable import LFMCore

@Suite struct JSONOutputTests {
    struct Inner: Encodable { var rougeL: Double; var sha256Hex: String }
    struct Report: Encodable {
        var path: String
        var validRecords: Int
        var runID: String
        var seed: UInt64
        var missing: String?
        var counts: [String: Int]
        var record: JSONValue
        var inner: [Inner]
    }

    @Test func snakeCaseKeysInDeclarationOrderNullsAndVerbatimData() throws {
        let record = try JSONParser.parse(Array(#"{"myField": 1.50, "b": [true, null]}"#.utf8))
        let report = Report(path: "a.json", validRecords: 3, runID: "r1", seed: 42, missing: nil,
                            counts: ["alpacaData": 2], record: record,
                            inner: [Inner(rougeL: 0.25, sha256Hex: "ab")])
        let text = try JSONOutput.string(report, indent: nil)
        #expect(text == #"{"path": "a.json", "valid_records": 3, "run_id": "r1", "seed": 42, "missing": null, "counts": {"alpacaData": 2}, "record": {"myField": 1.50, "b": [true, null]}, "inner": [{"rouge_l": 0.25, "sha256_hex": "ab"}]}"#)
    }

    @Test(arguments: [
        ("path", "path"), ("validRecords", "valid_records"), ("rougeL", "rouge_l"), ("bleu4", "bleu4"),
        ("sha256Hex", "sha256_hex"), ("runID", "run_id"), ("URLPath", "url_path"), ("p50", "p50"),
        ("already_snake", "already_snake"),
    ])
    func snakeCase(input: String, expected: String) {
        #expect(JSONOutput.snakeCase(input) == expected)
    }

    @Test func numbers() throws {
        #expect(try JSONOutput.string([1.0, 0.1, 2.5e-7, .nan, .infinity], indent: nil) == "[1.0, 0.1, 2.5e-07, null, null]")
        #expect(try JSONOutput.string([Int.max, -3], indent: nil) == "[9223372036854775807, -3]")
    }
}
