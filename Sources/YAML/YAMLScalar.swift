/// A YAML scalar: its text exactly as written (after unescaping), the style it
/// was written in (or should be written in), and its explicit tag if any.
///
/// Meaning ("is this `no` a string or the boolean false?") follows PyYAML's
/// YAML 1.1 resolver, which is what LLaMA-Factory reads configs with:
///
/// * an untagged `.plain` scalar is resolved like PyYAML's `SafeLoader` would
///   (see ``YAMLResolver``): `no` is a bool, `1e3` is a string, `0755` an int;
/// * an untagged `.any` scalar is a string built by code: the emitter decides
///   how to write it so that it reads back as that string (quoting if needed);
/// * quoted and block (literal / folded) scalars are always strings;
/// * a scalar with a standard tag (`!!str`, `!!int`, `!!float`, `!!bool`,
///   `!!null`) has that type; any other tag is treated as a string.
///
/// Equality is semantic: two scalars are equal when they resolve to the same
/// value (`.string("a")` equals a parsed plain `a`; `yes` equals `true`;
/// `0x10` equals `16`). Compare ``text``/``style`` directly for exact identity.
public struct YAMLScalar: Equatable, Sendable, CustomStringConvertible {
    /// How a scalar is (to be) written.
    public enum Style: String, Sendable, CaseIterable {
        /// A string made by code: the emitter picks plain, quoted or literal.
        case any
        /// Unquoted; its meaning comes from the YAML 1.1 resolver.
        case plain
        case singleQuoted
        case doubleQuoted
        /// `|` block scalar.
        case literal
        /// `>` block scalar.
        case folded
    }

    /// The resolved type of a scalar.
    public enum Kind: String, Sendable {
        case null, bool, int, float, timestamp
        /// `<<` (merge key) and `=` (value key): PyYAML's `safe_load` cannot
        /// construct these as values.
        case merge, value
        case string
    }

    public var text: String
    public var style: Style
    /// The full tag, e.g. `tag:yaml.org,2002:str`, or nil when untagged.
    public var tag: String?

    public init(_ text: String, style: Style = .any, tag: String? = nil) {
        self.text = text
        self.style = style
        self.tag = tag
    }

    /// A plain scalar written verbatim (e.g. a number read from a template).
    public static func plain(_ text: String) -> YAMLScalar { YAMLScalar(text, style: .plain) }

    public var description: String { text }

    /// The type this scalar resolves to (PyYAML / YAML 1.1 rules).
    public var kind: Kind {
        if let tag {
            switch tag {
            case YAMLTag.str, "!": return .string
            case YAMLTag.int: return .int
            case YAMLTag.float: return .float
            case YAMLTag.bool: return .bool
            case YAMLTag.null: return .null
            case YAMLTag.timestamp: return .timestamp
            default: return .string
            }
        }
        switch style {
        case .plain: return YAMLResolver.resolve(text)
        default: return .string
        }
    }

    /// The text, when the scalar resolves to a string.
    public var stringValue: String? { kind == .string ? text : nil }
    public var isNull: Bool { kind == .null }
    public var boolValue: Bool? { kind == .bool ? YAMLResolver.boolValue(text) : nil }
    /// The integer value when the scalar resolves to an int (and fits `Int`).
    public var intValue: Int? { kind == .int ? YAMLResolver.intValue(text) : nil }
    /// The value of a float, or of an int converted to `Double`.
    public var doubleValue: Double? {
        switch kind {
        case .float: return YAMLResolver.doubleValue(text)
        case .int: return YAMLResolver.intValue(text).map(Double.init)
        default: return nil
        }
    }

    public static func == (lhs: YAMLScalar, rhs: YAMLScalar) -> Bool {
        let kind = lhs.kind
        guard kind == rhs.kind else { return false }
        switch kind {
        case .null, .merge, .value:
            return true
        case .bool:
            return lhs.boolValue == rhs.boolValue
        case .int:
            if let l = lhs.intValue, let r = rhs.intValue { return l == r }
            return lhs.text == rhs.text
        case .float:
            guard let l = lhs.doubleValue, let r = rhs.doubleValue else { return lhs.text == rhs.text }
            return l == r || (l.isNaN && r.isNaN)
        case .timestamp, .string:
            return lhs.text == rhs.text && normalizedTag(lhs.tag) == normalizedTag(rhs.tag)
        }
    }

    private static func normalizedTag(_ tag: String?) -> String? {
        (tag == nil || tag == "!" || tag == YAMLTag.str || tag == YAMLTag.timestamp) ? nil : tag
    }

    /// Text for a double that PyYAML (YAML 1.1), OmegaConf and YAML 1.2 readers
    /// all read back as the same float: plain decimals when Swift prints them
    /// that way (`0.1`, `3.0`, `0.0001`), otherwise a mantissa with a dot and a
    /// signed exponent (`1.0e-5`, `1.5e+20`); `.inf`, `-.inf`, `.nan`.
    public static func formatDouble(_ value: Double) -> String {
        if value.isNaN { return ".nan" }
        if value.isInfinite { return value < 0 ? "-.inf" : ".inf" }
        let printed = value.description  // shortest round-trip form
        guard let e = printed.firstIndex(where: { $0 == "e" || $0 == "E" }) else {
            return printed.contains(".") ? printed : printed + ".0"
        }
        var mantissa = String(printed[..<e])
        var exponent = Substring(printed[printed.index(after: e)...])
        var sign = "+"
        if let first = exponent.first, first == "+" || first == "-" {
            sign = String(first)
            exponent = exponent.dropFirst()
        }
        while exponent.count > 1, exponent.first == "0" { exponent = exponent.dropFirst() }
        if !mantissa.contains(".") { mantissa += ".0" }
        return "\(mantissa)e\(sign)\(exponent)"
    }
}

/// The standard tags of the YAML 1.1 / 1.2 failsafe, JSON and core schemas.
public enum YAMLTag {
    public static let str = "tag:yaml.org,2002:str"
    public static let int = "tag:yaml.org,2002:int"
    public static let float = "tag:yaml.org,2002:float"
    public static let bool = "tag:yaml.org,2002:bool"
    public static let null = "tag:yaml.org,2002:null"
    public static let timestamp = "tag:yaml.org,2002:timestamp"
    public static let map = "tag:yaml.org,2002:map"
    public static let seq = "tag:yaml.org,2002:seq"
}
