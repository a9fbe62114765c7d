import Foundation
import LFMCore

// MARK: selfcheck-parts: the two-part validator == the one-pass validator

/// `lfm-bench selfcheck-parts [--min BYTES] [--generate DIR] FILE...`: validates each file with
/// ``FileValidator/validateSequentially(path:layoutHint:)`` and with
/// ``FileValidator/validateInParts(path:layoutHint:minimumSize:)`` (split threshold `--min`,
/// default 0 so that small test files split too) under the format `lfm validate` detects, and
/// compares the whole reports field by field. `--generate DIR` first writes the edge-case files
/// below into DIR (`--records N` each, default 12,000: ~7 MB) and checks them too.
func selfCheckParts(_ args: [String]) throws {
    var paths: [String] = []
    var minimum = 0
    var records = 12_000
    var i = 0
    while i < args.count {
        switch args[i] {
        case "--min": minimum = parseSize(args[i + 1]) ?? 0; i += 2
        case "--records": records = Int(args[i + 1]) ?? records; i += 2
        case "--generate":
            paths += try generatePartsCases(in: args[i + 1], records: records)
            i += 2
        default: paths.append(args[i]); i += 1
        }
    }
    var failures = 0
    for path in paths {
        let spec: DatasetSpec
        let format: String
        do {
            let sample = try FileValidator.sample(path: path)
            let detected = try FormatDetector().detect(sample: sample.records, layout: sample.layout)
            spec = detected.spec
            format = detected.format.description
        } catch {
            spec = DatasetSpec()
            format = "default spec (\(error))"
        }
        let validator = FileValidator(spec: spec)
        let one = try validator.validateSequentially(path: path)
        let (two, outcome) = try validator.validateInParts(path: path, minimumSize: minimum)
        var differences = reportDifferences(one, two)
        // Progress: on this thread, never going back, ending with (size, size).
        var calls: [(Int, Int)] = []
        var progressing = validator
        progressing.onProgress = { calls.append(($0, $1)) }
        _ = try progressing.validateInParts(path: path, minimumSize: minimum)
        // (After a syntax error one pass makes no final call either.)
        let ended = one.counts["syntax"] != nil || calls.last.map({ $0.0 == $0.1 }) == true
        if zip(calls, calls.dropFirst()).contains(where: { $0.0 > $1.0 }) || !ended {
            differences.append("progress: \(calls)")
        }
        if !differences.isEmpty { failures += 1 }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        print("\(differences.isEmpty ? "same" : "DIFFERENT") \((path as NSString).lastPathComponent) (\(size) bytes, \(format)): \(outcome); "
              + "\(one.records) records, \(one.errorCount) errors, \(one.warningCount) warnings, \(one.issues.count) issues kept, \(one.invalidRecords.count) invalid"
              + (one.issues.first(where: { $0.code == "syntax" }).map { "; syntax: \($0.message)" } ?? ""))
        for difference in differences.prefix(10) { print("    \(difference)") }
    }
    print(failures == 0 ? "all \(paths.count) reports identical" : "\(failures) of \(paths.count) reports differ")
    if failures > 0 { exit(1) }
}

func reportDifferences(_ a: ValidationReport, _ b: ValidationReport) -> [String] {
    var out: [String] = []
    func check<T: Equatable>(_ name: String, _ x: T, _ y: T) { if x != y { out.append("\(name): \(x) != \(y)") } }
    check("path", a.path, b.path)
    check("layout", a.layout, b.layout)
    check("records", a.records, b.records)
    check("validRecords", a.validRecords, b.validRecords)
    check("counts", a.counts, b.counts)
    check("errorCount", a.errorCount, b.errorCount)
    check("warningCount", a.warningCount, b.warningCount)
    check("invalidRecords.count", a.invalidRecords.count, b.invalidRecords.count)
    if a.invalidRecords != b.invalidRecords, let k = a.invalidRecords.indices.first(where: { $0 >= b.invalidRecords.count || a.invalidRecords[$0] != b.invalidRecords[$0] }) {
        out.append("invalidRecords[\(k)]: \(a.invalidRecords[k]) != \(b.invalidRecords[k])")
    }
    check("bytes", a.bytes, b.bytes)
    check("fieldsInValidRecords", a.fieldsInValidRecords, b.fieldsInValidRecords)
    check("issues.count", a.issues.count, b.issues.count)
    for (k, (x, y)) in zip(a.issues, b.issues).enumerated() where x != y {
        out.append("issues[\(k)]: \(x) != \(y)")
        if out.count > 20 { break }
    }
    // Belt and braces: the encoded reports (what `lfm validate --json` is built from).
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    // (A Set encodes in its iteration order, which differs between equal sets: compared above.)
    var a = a, b = b
    a.fieldsInValidRecords = []
    b.fieldsInValidRecords = []
    if out.isEmpty, let x = try? encoder.encode(a), let y = try? encoder.encode(b), x != y {
        out.append("encoded reports differ")
    }
    return out
}

// MARK: Edge-case files

/// Writes files made to break a two-part merge; returns their paths.
func generatePartsCases(in dir: String, records n: Int) throws -> [String] {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    var paths: [String] = []
    func write(_ name: String, _ data: Data) throws {
        let path = (dir as NSString).appendingPathComponent(name)
        try data.write(to: URL(fileURLWithPath: path))
        paths.append(path)
    }
    func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
    /// A record as `json.dump(indent=2)` writes it (members: key, JSON text of the value).
    func indented(_ members: [(String, String)], crlf: Bool = false) -> String {
        let nl = crlf ? "\r\n" : "\n"
        return "  {" + nl + members.map { "    \(quote($0.0)): \($0.1)" }.joined(separator: "," + nl) + nl + "  }"
    }
    func compact(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(quote($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
    func array(_ records: [[(String, String)]], crlf: Bool = false) -> String {
        let nl = crlf ? "\r\n" : "\n"
        return "[" + nl + records.map { indented($0, crlf: crlf) }.joined(separator: "," + nl) + nl + "]" + nl
    }
    func lines(_ records: [[(String, String)]]) -> String {
        records.map(compact).joined(separator: "\n") + "\n"
    }
    let filler = String(repeating: "Lorem ipsum dolor sit amet, 中文句子。 ", count: 6)
    func alpaca(_ i: Int) -> [(String, String)] {
        [("instruction", quote("Task \(i): \(filler)")), ("input", quote(i % 3 == 0 ? "" : "context \(i)")), ("output", quote("Answer \(i) \(filler)"))]
    }
    precondition(n >= 12_000, "the cases place records up to n/2 + 1000 and n - 3")

    // Duplicates across the halves: first copies in half 1, again in half 2 (twice), and
    // duplicates whose first copy is in half 2; plus > 1000 duplicates in all.
    var records = (0..<n).map(alpaca)
    for i in stride(from: n / 2 + 10, to: n, by: 5) { records[i] = alpaca(i % 2000) }  // first copies in half 1
    for i in stride(from: n / 2 + 12, to: n, by: 50) { records[i] = alpaca(n / 2 + 1) }  // first copy in half 2
    try write("dups-across.json", Data(array(records).utf8))
    try write("dups-across.jsonl", Data(lines(records).utf8))

    // A field that changes type in half 2 against half 1's first record with it; a field first
    // seen in half 2 that changes there; a field null in half 1; duplicate keys in an object.
    records = (0..<n).map(alpaca)
    records[3].append(("extra", "1"))
    records[n / 2 + 100][1] = ("input", "[\"a\", \"b\"]")
    records[n / 2 + 101].append(("extra", "\"one\""))
    records[n / 2 + 200].append(("late", "1"))
    records[n / 2 + 300].append(("late", "\"x\""))
    records[n / 2 + 301].append(("late", "[1]"))
    records[10].append(("nully", "null"))
    records[n / 2 + 400].append(("nully", "true"))
    records[n / 2 + 401].append(("nully", "3"))
    records[n / 2 + 500].append(("late", "2"))
    records[n / 2 + 500].append(("late", "\"dup key\""))
    records[20].append(("k", "1"))
    records[20].append(("k", "\"s\""))
    try write("type-changes-in-half2.json", Data(array(records).utf8))
    try write("type-changes-in-half2.jsonl", Data(lines(records).utf8))
    // The same changes without the conflicting "extra": the halves merge, the type-changes in
    // half 2 name half 1's first record.
    records = (0..<n).map(alpaca)
    records[n / 2 + 100][1] = ("input", "[\"a\", \"b\"]")
    records[n / 2 + 120][2] = ("input", "7")
    records[n / 2 + 200].append(("late", "1"))
    records[n / 2 + 300].append(("late", "\"x\""))
    records[n / 2 + 301].append(("late", "[1]"))
    records[10].append(("nully", "null"))
    records[n / 2 + 400].append(("nully", "true"))
    records[n / 2 + 401].append(("nully", "3"))
    records[n / 2 + 500].append(("late", "2"))
    records[n / 2 + 500].append(("late", "\"dup key\""))
    records[20].append(("k", "1"))
    records[20].append(("k", "\"s\""))
    records[n / 2 + 600].append(("k", "1"))
    records[n / 2 + 601].append(("k", "\"s\""))
    records[n / 2 + 601].append(("k", "[]"))
    records[n - 1][0] = ("instruction", "5")  // not-string error and a type change on the same field
    for i in stride(from: n / 2 + 700, to: n - 2, by: 3) { records[i].append(("many", i % 2 == 0 ? "1" : "\"s\"")) }
    try write("type-changes-merged.json", Data(array(records).utf8))
    try write("type-changes-merged.jsonl", Data(lines(records).utf8))
    // Half 2's first record with a field already has another type than half 1's first: falls back.
    records = (0..<n).map(alpaca)
    records[5].append(("extra", "1"))
    for i in (n / 2 - 200)..<n { records[i].append(("extra", "\"text\"")) }
    try write("type-first-differs.json", Data(array(records).utf8))
    try write("type-first-differs.jsonl", Data(lines(records).utf8))

    // KTO: labels only true in half 1 and only false in half 2; and all true.
    records = (0..<n).map { alpaca($0) + [("kto_tag", $0 < n / 2 + 1000 ? "true" : "false")] }
    try write("kto-halves.json", Data(array(records).utf8))
    try write("kto-halves.jsonl", Data(lines(records).utf8))
    records = (0..<n).map { alpaca($0) + [("kto_tag", "true")] }
    records[n - 3][3] = ("kto_tag", "\"false\"")
    try write("kto-one-label.jsonl", Data(lines(records).utf8))

    // Syntax errors in half 1 and in half 2.
    var text = array((0..<n).map(alpaca))
    var broken = text.replacingOccurrences(of: "Task \(n / 4): ", with: "Task \(n / 4): \u{1}")
    try write("syntax-half1.json", Data(broken.utf8))
    broken = text.replacingOccurrences(of: "\"Task \(n * 3 / 4): ", with: "\"Task \(n * 3 / 4): \", oops ")
    try write("syntax-half2.json", Data(broken.utf8))
    text = lines((0..<n).map(alpaca))
    broken = text.replacingOccurrences(of: "Task \(n / 5): ", with: "Task \(n / 5): \\x")
    try write("syntax-half1.jsonl", Data(broken.utf8))
    broken = text.replacingOccurrences(of: "Task \(n * 11 / 12): ", with: "Task \(n * 11 / 12): \\q")
    try write("syntax-half2.jsonl", Data(broken.utf8))
    // Truncated array (error at the very end).
    let full = array((0..<n).map(alpaca))
    try write("truncated.json", Data(Array(full.utf8).dropLast(40)))

    // > 1000 issues of several codes in both halves: missing output (error), empty output
    // (warning), response not a string, every third record.
    records = (0..<n).map { i -> [(String, String)] in
        var r = alpaca(i)
        switch i % 4 {
        case 0: r.removeLast()
        case 1: r[2] = ("output", "\"  \"")
        case 2: r[2] = ("output", "42")
        default: break
        }
        return r
    }
    try write("many-issues.json", Data(array(records).utf8))
    try write("many-issues.jsonl", Data(lines(records).utf8))
    // Issues only in half 2, over 1000 of one code.
    records = (0..<n).map { i in i > n / 2 + 5 && i % 3 == 0 ? Array(alpaca(i).dropLast()) : alpaca(i) }
    try write("issues-half2-only.json", Data(array(records).utf8))

    // Invalid UTF-8 in half 2 (and in half 1).
    for (name, at) in [("utf8-half2", n * 5 / 6), ("utf8-half1", n / 12)] {
        var bytes = Array(array((0..<n).map(alpaca)).utf8)
        let marker = Array("Task \(at): ".utf8)
        if let k = bytes.indices.first(where: { bytes[$0..<min($0 + marker.count, bytes.count)].elementsEqual(marker) }) {
            bytes[k + marker.count] = 0xFF
        }
        try write("\(name).json", Data(bytes))
        var jsonl = Array(lines((0..<n).map(alpaca)).utf8)
        if let k = jsonl.indices.first(where: { jsonl[$0..<min($0 + marker.count, jsonl.count)].elementsEqual(marker) }) {
            jsonl[k + marker.count] = 0xC3
        }
        try write("\(name).jsonl", Data(jsonl))
    }

    // JSON Lines with blank lines, whitespace-only lines and CRLF; a BOM.
    text = (0..<n).map { i in compact(alpaca(i)) + (i % 7 == 0 ? "\r\n\n  \t\r\n" : i % 5 == 0 ? "\r\n" : "\n") }.joined()
    try write("blank-lines.jsonl", Data(("\u{FEFF}" + text).utf8))
    // Array with CRLF line ends and a BOM.
    try write("crlf.json", Data(("\u{FEFF}" + array((0..<n).map(alpaca), crlf: true)).utf8))
    // Minified array: must not split.
    try write("minified.json", Data(("[" + (0..<n).map { compact(alpaca($0)) }.joined(separator: ",") + "]").utf8))
    // Records holding lists of objects indented like records (a split candidate inside a record).
    records = (0..<n).map { i in
        var r = alpaca(i)
        if i % 2 == 1 { r.append(("history", "[\n  {\"a\": 1},\n  {\"b\": 2}\n  ]")) }
        return r
    }
    try write("nested-lookalike.json", Data(array(records).utf8))
    // Every record holds many record-like lines: the first candidate is inside a record.
    records = (0..<n).map { i in
        alpaca(i) + [("history", "[\n" + (0..<8).map { "  {\"q\": \($0)}" }.joined(separator: ",\n") + "\n  ]")]
    }
    try write("nested-lookalike-dense.json", Data(array(records).utf8))
    // ShareGPT records with role errors in both halves.
    let sharegpt = (0..<n).map { i -> [(String, String)] in
        let roles = i % 97 == 0 ? ["human", "human"] : ["human", "gpt"]
        let turns = roles.enumerated().map { "{\"from\": \"\($0.element)\", \"value\": \(quote("turn \($0.offset) of \(i) \(filler)"))}" }
        return [("conversations", "[" + turns.joined(separator: ", ") + "]")]
    }
    try write("sharegpt.json", Data(array(sharegpt).utf8))
    try write("sharegpt.jsonl", Data(lines(sharegpt).utf8))
    // Records that are not objects, in half 2.
    text = array((0..<n).map(alpaca)).replacingOccurrences(of: "  {\n    \"instruction\": \"Task \(n * 3 / 4 + 1): ", with: "  [1, 2],\n  {\n    \"instruction\": \"Task \(n * 3 / 4 + 1): ")
    try write("non-object-half2.json", Data(text.utf8))
    return paths
}
