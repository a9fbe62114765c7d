/// Resolution of plain scalars, written to match PyYAML 6's `SafeLoader`
/// (`yaml/resolver.py`) exactly, plus the quoting rule the emitter uses for
/// strings. Hand-written matchers over UTF-8 bytes (no regex engine).
///
/// PyYAML's YAML 1.1 rules, checked against PyYAML 6.0.3:
/// * null: `~`, `null`, `Null`, `NULL`, empty.
/// * bool: `yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF`
///   (NOT `y`/`n`, although the YAML 1.1 spec lists them).
/// * int: `[-+]?0b[01_]+`, `[-+]?0[0-7_]+` (octal), `[-+]?(0|[1-9][0-9_]*)`,
///   `[-+]?0x[0-9a-fA-F_]+`, sexagesimal `[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+` (`1:30` = 90).
/// * float: needs a dot; an exponent needs a sign: `1.0e-4` is a float but
///   `1e-05`, `1e3` and `1.0e4` are STRINGS; `.5` is a float but `+.5` a string;
///   `.inf`, `-.inf`, `.nan` (3 spellings each); sexagesimal `1:30.5`.
/// * timestamp: `2024-01-01`, `2024-1-1 10:00:00`, ...
/// * `<<` is a merge key, `=` a "value" key (`safe_load` fails on either as a value).
public enum YAMLResolver {
    /// The kind PyYAML gives an untagged plain scalar with this text.
    public static func resolve(_ text: String) -> YAMLScalar.Kind {
        let s = Array(text.utf8)
        if isNull(s) { return .null }
        if isBool(s) { return .bool }
        if isInt(s) { return .int }
        if isFloat(s) { return .float }
        if isTimestamp(s) { return .timestamp }
        if s == [0x3C, 0x3C] { return .merge }  // <<
        if s == [0x3D] { return .value }  // =
        return .string
    }

    /// True when a string written as a plain scalar could read back as
    /// something other than that string, under PyYAML (YAML 1.1), the YAML 1.1
    /// spec (`y`, `n`, ...), or a YAML 1.2 core-schema reader (`1e3`, `0o17`),
    /// or OmegaConf (which reads `1e3` as a float). Numeric-looking strings
    /// (starting with a digit, or with `+`, `-`, `.` followed by a digit or a
    /// dot) are always quoted: cheap, and safe with every reader.
    public static func isAmbiguousAsPlain(_ text: String) -> Bool {
        if resolve(text) != .string { return true }
        switch text {
        case "y", "Y", "n", "N": return true
        default: break
        }
        let s = Array(text.utf8)
        guard let first = s.first else { return true }
        if isDigit(first) { return true }
        if first == .plus || first == .minus || first == .dot, s.count > 1, isDigit(s[1]) || s[1] == .dot {
            return true
        }
        return false
    }

    // MARK: values

    static func boolValue(_ text: String) -> Bool? {
        switch text {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": return true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": return false
        default: return nil
        }
    }

    /// PyYAML's `construct_yaml_int`, limited to `Int`.
    static func intValue(_ text: String) -> Int? {
        var t = text.replacingUnderscores()
        var negative = false
        if t.hasPrefix("-") || t.hasPrefix("+") {
            negative = t.hasPrefix("-")
            t.removeFirst()
        }
        let magnitude: Int?
        if t == "0" {
            magnitude = 0
        } else if t.hasPrefix("0b") {
            magnitude = Int(t.dropFirst(2), radix: 2)
        } else if t.hasPrefix("0x") {
            magnitude = Int(t.dropFirst(2), radix: 16)
        } else if t.hasPrefix("0") {
            magnitude = Int(t.dropFirst(1), radix: 8)
        } else if t.contains(":") {
            magnitude = sexagesimal(t).flatMap { $0.isFinite && abs($0) < 9.0e18 ? Int($0) : nil }
        } else {
            magnitude = Int(t)
        }
        guard let magnitude else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// PyYAML's `construct_yaml_float`.
    static func doubleValue(_ text: String) -> Double? {
        var t = text.replacingUnderscores().lowercased()
        var sign = 1.0
        if t.hasPrefix("-") || t.hasPrefix("+") {
            if t.hasPrefix("-") { sign = -1 }
            t.removeFirst()
        }
        if t == ".inf" { return sign * .infinity }
        if t == ".nan" { return .nan }
        if t.contains(":") { return sexagesimal(t).map { sign * $0 } }
        if t.hasSuffix(".") { t += "0" }
        if t.hasPrefix(".") { t = "0" + t }
        return Double(t).map { sign * $0 }
    }

    private static func sexagesimal(_ t: String) -> Double? {
        var value = 0.0
        for part in t.split(separator: ":", omittingEmptySubsequences: false) {
            guard let digit = Double(part.hasSuffix(".") ? part + "0" : String(part)) else { return nil }
            value = value * 60 + digit
        }
        return value
    }

    // MARK: matchers (one per PyYAML regex)

    private static func isNull(_ s: [UInt8]) -> Bool {
        s.isEmpty || s == [.tilde] || ["null", "Null", "NULL"].contains { Array($0.utf8) == s }
    }

    private static func isBool(_ s: [UInt8]) -> Bool {
        boolValue(String(decoding: s, as: UTF8.self)) != nil
    }

    private static func isInt(_ s: [UInt8]) -> Bool {
        var c = Cursor(s)
        c.skipSign()
        let start = c.i
        if c.eat("0b") { return c.eatRun { $0 == .zero || $0 == .one || $0 == .underscore } > 0 && c.atEnd }
        c.i = start
        if c.eat("0x") { return c.eatRun { isHexDigit($0) || $0 == .underscore } > 0 && c.atEnd }
        c.i = start
        if c.eat("0") {
            if c.atEnd { return true }
            return c.eatRun { ($0 >= .zero && $0 <= .seven) || $0 == .underscore } > 0 && c.atEnd
        }
        guard let f = c.peek, f >= .one, f <= .nine else { return false }
        c.eatRun { isDigit($0) || $0 == .underscore }
        if c.atEnd { return true }
        return c.eatSexagesimalGroups() && c.atEnd
    }

    private static func isFloat(_ s: [UInt8]) -> Bool {
        // \.(nan|NaN|NAN)  and  [-+]?\.(inf|Inf|INF)
        let text = String(decoding: s, as: UTF8.self)
        if [".nan", ".NaN", ".NAN"].contains(text) { return true }
        var c = Cursor(s)
        let signed = c.skipSign()
        let afterSign = c.i
        if c.eat("."), [".inf", ".Inf", ".INF"].contains(String(decoding: s[afterSign...], as: UTF8.self)) {
            return true
        }
        c.i = afterSign
        // \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?   (no sign allowed)
        if !signed, c.eat(".") {
            guard let d = c.peek, isDigit(d) else { return false }
            c.eatRun { isDigit($0) || $0 == .underscore }
            return c.eatSignedExponentIfAny() && c.atEnd
        }
        // [-+]?[0-9][0-9_]* then either \.[0-9_]*(exp)?  or  (:[0-5]?[0-9])+\.[0-9_]*
        guard let d = c.peek, isDigit(d) else { return false }
        c.eatRun { isDigit($0) || $0 == .underscore }
        if c.eat(".") {
            c.eatRun { isDigit($0) || $0 == .underscore }
            return c.eatSignedExponentIfAny() && c.atEnd
        }
        guard c.eatSexagesimalGroups(), c.eat(".") else { return false }
        c.eatRun { isDigit($0) || $0 == .underscore }
        return c.atEnd
    }

    private static func isTimestamp(_ s: [UInt8]) -> Bool {
        var c = Cursor(s)
        guard c.eatDigits(min: 4, max: 4), c.eat("-"), c.i < s.count else { return false }
        let afterYear = c.i
        // [0-9]{4}-[0-9]{2}-[0-9]{2}
        if c.eatDigits(min: 2, max: 2), c.eat("-"), c.eatDigits(min: 2, max: 2), c.atEnd { return true }
        c.i = afterYear
        guard c.eatDigits(min: 1, max: 2), c.eat("-"), c.eatDigits(min: 1, max: 2) else { return false }
        if c.eat("T") || c.eat("t") {
        } else if c.eatRun({ $0 == .space || $0 == .tab }) == 0 { return false }
        guard c.eatDigits(min: 1, max: 2), c.eat(":"), c.eatDigits(min: 2, max: 2),
              c.eat(":"), c.eatDigits(min: 2, max: 2) else { return false }
        if c.eat(".") { c.eatRun(isDigit) }
        c.eatRun { $0 == .space || $0 == .tab }
        if c.atEnd { return true }
        if c.eat("Z") { return c.atEnd }
        guard c.skipSign(), c.eatDigits(min: 1, max: 2) else { return false }
        if c.eat(":") { guard c.eatDigits(min: 2, max: 2) else { return false } }
        return c.atEnd
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= .zero && b <= .nine }
    static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
    }
}

private struct Cursor {
    let s: [UInt8]
    var i = 0
    init(_ s: [UInt8]) { self.s = s }
    var atEnd: Bool { i == s.count }
    var peek: UInt8? { i < s.count ? s[i] : nil }

    mutating func eat(_ literal: String) -> Bool {
        let bytes = Array(literal.utf8)
        guard s.count - i >= bytes.count, Array(s[i..<(i + bytes.count)]) == bytes else { return false }
        i += bytes.count
        return true
    }

    @discardableResult
    mutating func skipSign() -> Bool {
        guard let p = peek, p == .plus || p == .minus else { return false }
        i += 1
        return true
    }

    @discardableResult
    mutating func eatRun(_ pred: (UInt8) -> Bool) -> Int {
        let start = i
        while let p = peek, pred(p) { i += 1 }
        return i - start
    }

    mutating func eatDigits(min: Int, max: Int) -> Bool {
        var n = 0
        while n < max, let p = peek, YAMLResolver.isDigit(p) { i += 1; n += 1 }
        return n >= min
    }

    /// `(?::[0-5]?[0-9])+`
    mutating func eatSexagesimalGroups() -> Bool {
        var groups = 0
        while peek == .colon {
            let save = i
            i += 1
            let start = i
            eatRun(YAMLResolver.isDigit)
            let n = i - start
            if n == 1 || (n == 2 && s[start] <= .five) {
                groups += 1
            } else {
                i = save
                break
            }
        }
        return groups > 0
    }

    /// `(?:[eE][-+][0-9]+)?`: true unless an exponent starts but is malformed.
    mutating func eatSignedExponentIfAny() -> Bool {
        guard let p = peek, p == 0x65 || p == 0x45 else { return true }
        i += 1
        guard skipSign() else { return false }
        return eatRun(YAMLResolver.isDigit) > 0
    }
}

extension UInt8 {
    fileprivate static let zero: UInt8 = 0x30, one: UInt8 = 0x31, five: UInt8 = 0x35
    fileprivate static let seven: UInt8 = 0x37, nine: UInt8 = 0x39
    fileprivate static let plus: UInt8 = 0x2B, minus: UInt8 = 0x2D, dot: UInt8 = 0x2E
    fileprivate static let colon: UInt8 = 0x3A, underscore: UInt8 = 0x5F, tilde: UInt8 = 0x7E
    fileprivate static let space: UInt8 = 0x20, tab: UInt8 = 0x09
}

extension String {
    fileprivate func replacingUnderscores() -> String { String(filter { $0 != "_" }) }
}
