import LFMCore

/// Finds JSON values inside model replies: a balanced scanner that respects strings and escapes
/// (never "first `[` to last `]`"), plus repairs for the defects models commonly produce.
enum JSONExtractor {
    struct Found {
        var value: JSONValue
        /// Repairs applied, for diagnostics ("trailing commas", "truncated array closed").
        var repairs: [String]
    }

    /// Every top-level JSON array or object in `text`, in order, that parses (after repair).
    static func values(in text: String) -> [Found] {
        let bytes = Array(text.utf8)
        var found: [Found] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            guard b == UInt8(ascii: "[") || b == UInt8(ascii: "{") else { i += 1; continue }
            switch scan(bytes, from: i) {
            case .complete(let end):
                if let value = parse(Array(bytes[i..<end])) {
                    found.append(value)
                    i = end
                } else {
                    i += 1
                }
            case .truncated(let lastElementEnd):
                // Cut off mid-reply: keep the complete elements of an array.
                if b == UInt8(ascii: "["), let cut = lastElementEnd {
                    var candidate = Array(bytes[i..<cut])
                    candidate.append(UInt8(ascii: "]"))
                    if var value = parse(candidate) {
                        value.repairs.append("truncated array closed after its last complete element")
                        found.append(value)
                        return found
                    }
                }
                i += 1  // an unclosed bracket in prose ("see [1 for…"): look further
            case .mismatched:
                i += 1
            }
        }
        return found
    }

    enum ScanResult {
        /// End index (exclusive) of the balanced value.
        case complete(Int)
        /// The text ended inside the value; the end of the last complete element at depth 1, if any.
        case truncated(lastElementEnd: Int?)
        case mismatched
    }

    /// Scans the value starting at `start` (`[` or `{`) to its matching close.
    static func scan(_ bytes: [UInt8], from start: Int) -> ScanResult {
        var stack: [UInt8] = []
        var inString = false
        var escaped = false
        var lastElementEnd: Int? = nil
        var i = start
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else {
                switch b {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "["): stack.append(UInt8(ascii: "]"))
                case UInt8(ascii: "{"): stack.append(UInt8(ascii: "}"))
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    guard stack.last == b else { return .mismatched }
                    stack.removeLast()
                    if stack.isEmpty { return .complete(i + 1) }
                    if stack.count == 1 { lastElementEnd = i + 1 }
                default: break
                }
            }
            i += 1
        }
        return .truncated(lastElementEnd: lastElementEnd)
    }

    /// Strict parse, then with repairs.
    static func parse(_ bytes: [UInt8]) -> Found? {
        if let value = try? JSONParser.parse(bytes) { return Found(value: value, repairs: []) }
        var repairs: [String] = []
        var repaired = bytes
        if !repaired.contains(UInt8(ascii: "\"")) {
            let text = String(decoding: repaired, as: UTF8.self)
            let swapped = text.replacingOccurrences(of: "“", with: "\"").replacingOccurrences(of: "”", with: "\"")
            if swapped != text { repaired = Array(swapped.utf8); repairs.append("smart quotes") }
        }
        let (fixed, fixes) = fixStringsAndCommas(repaired)
        repairs.append(contentsOf: fixes)
        if let value = try? JSONParser.parse(fixed) { return Found(value: value, repairs: repairs) }
        return nil
    }

    /// Outside strings: drops commas before `]`/`}`. Inside strings: escapes raw control
    /// characters and turns invalid escapes (`\'`, `\ `) into the plain character.
    static func fixStringsAndCommas(_ bytes: [UInt8]) -> ([UInt8], [String]) {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var inString = false
        var fixes = Set<String>()
        var i = 0
        let validEscapes: Set<UInt8> = Set("\"\\/bfnrtu".utf8)
        while i < bytes.count {
            let b = bytes[i]
            if inString {
                if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    let next = bytes[i + 1]
                    if validEscapes.contains(next) {
                        out.append(b); out.append(next)
                    } else {
                        out.append(next)
                        fixes.insert("invalid escapes")
                    }
                    i += 2
                    continue
                }
                if b == UInt8(ascii: "\"") { inString = false }
                switch b {
                case 0x0A: out.append(contentsOf: Array("\\n".utf8)); fixes.insert("raw newlines in strings")
                case 0x0D: out.append(contentsOf: Array("\\r".utf8)); fixes.insert("raw newlines in strings")
                case 0x09: out.append(contentsOf: Array("\\t".utf8)); fixes.insert("raw tabs in strings")
                case 0x00..<0x20: fixes.insert("control characters in strings")
                default: out.append(b)
                }
            } else {
                if b == UInt8(ascii: "\"") { inString = true }
                if b == UInt8(ascii: ",") {
                    var j = i + 1
                    while j < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[j]) { j += 1 }
                    if j < bytes.count, bytes[j] == UInt8(ascii: "]") || bytes[j] == UInt8(ascii: "}") {
                        fixes.insert("trailing commas")
                        i += 1
                        continue
                    }
                }
                out.append(b)
            }
            i += 1
        }
        return (out, fixes.sorted())
    }
}
