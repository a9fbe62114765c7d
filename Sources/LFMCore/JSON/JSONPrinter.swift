/// Writes JSON the way Python's `json.dump(obj, f, indent=N, ensure_ascii=False)` does, so files
/// that LLaMA-Factory users (and their scripts) keep by hand do not churn when lfm edits them.
public struct JSONPrinter: Sendable {
    /// The text of one indentation level, or nil for one line with Python's default `", "` and
    /// `": "` separators.
    public var indentUnit: String?

    /// `indent` spaces per level, or nil for a single line.
    public init(indent: Int? = 2) { self.indentUnit = indent.map { String(repeating: " ", count: $0) } }

    /// A custom indentation unit, e.g. a tab, to match an existing file.
    public init(indentUnit: String?) { self.indentUnit = indentUnit }

    public func string(_ value: JSONValue, level: Int = 0) -> String {
        var out: [UInt8] = []
        write(value, level: level, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func bytes(_ value: JSONValue, level: Int = 0) -> [UInt8] {
        var out: [UInt8] = []
        write(value, level: level, into: &out)
        return out
    }

    public func write(_ value: JSONValue, level: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.utf8)
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let elements):
            if elements.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, into: &out, first: i == 0)
                write(element, level: level + 1, into: &out)
            }
            newline(level, into: &out, first: false, closing: true)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, into: &out, first: i == 0)
                Self.writeString(member.key, into: &out)
                out.append(contentsOf: ": ".utf8)
                write(member.value, level: level + 1, into: &out)
            }
            newline(level, into: &out, first: false, closing: true)
            out.append(UInt8(ascii: "}"))
        }
    }

    private func newline(_ level: Int, into out: inout [UInt8], first: Bool, closing: Bool = false) {
        if let indentUnit {
            out.append(0x0A)
            for _ in 0..<level { out.append(contentsOf: indentUnit.utf8) }
        } else if !first && !closing {
            out.append(UInt8(ascii: " "))
        }
    }

    /// A JSON string literal with Python's `ensure_ascii=False` escaping.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { writeEscaped($0, into: &out) }
        out.append(UInt8(ascii: "\""))
    }

    /// The bytes of a string literal's inside. perf: runs of bytes that need no escape are
    /// found 8 at a time and appended at once (one append per byte was ~23% of `lfm dedupe
    /// --out`); the escapes are ``writeEscape(_:into:)``'s.
    static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        guard let base = bytes.baseAddress else { return }
        let n = bytes.count
        var i = 0, run = 0
        while i < n {
            if i + 8 <= n, !needsEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                i += 8
                continue
            }
            let byte = base[i]
            i += 1
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            out.append(contentsOf: UnsafeBufferPointer(start: base + run, count: i - 1 - run))
            writeEscape(byte, into: &out)
            run = i
        }
        out.append(contentsOf: UnsafeBufferPointer(start: base + run, count: n - run))
    }

    /// Whether one of the 8 bytes of `word` is a control character, `"` or `\` (exact: the
    /// classic "has a byte less than" and "has a zero byte" tests).
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZero(_ v: UInt64) -> Bool { (v &- ones) & ~v & high != 0 }
        return (word &- ones &* 0x20) & ~word & high != 0 || hasZero(word ^ (ones &* 0x22)) || hasZero(word ^ (ones &* 0x5C))
    }

    /// The escape of one byte that needs one.
    static func writeEscape(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
        case 0x0A: out.append(contentsOf: #"\n"#.utf8)
        case 0x0D: out.append(contentsOf: #"\r"#.utf8)
        case 0x09: out.append(contentsOf: #"\t"#.utf8)
        case 0x08: out.append(contentsOf: #"\b"#.utf8)
        case 0x0C: out.append(contentsOf: #"\f"#.utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: #"\u00"#.utf8)
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
    }

    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        writeString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
