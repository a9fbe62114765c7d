/// A YAML document tree: scalars, sequences and ordered string-keyed mappings.
///
/// Aliases are resolved when parsing (the anchored node is copied), so a tree
/// never contains references. Equality is semantic for scalars (see
/// ``YAMLScalar``) and order-sensitive for mappings.
public enum YAMLNode: Equatable, Sendable {
    case scalar(YAMLScalar)
    case sequence([YAMLNode])
    case mapping(YAMLMapping)

    // MARK: building

    /// A string made by code. The emitter quotes it when needed so that it reads
    /// back as this exact string (`"no"` is written `'no'`).
    public static func string(_ value: String) -> YAMLNode { .scalar(YAMLScalar(value, style: .any)) }

    /// An integer, written plain.
    public static func int(_ value: Int) -> YAMLNode { .scalar(.plain(String(value))) }

    /// A double, written plain so that PyYAML reads a float (see
    /// ``YAMLScalar/formatDouble(_:)``): `0.1`, `3.0`, `1.0e-5`.
    public static func double(_ value: Double) -> YAMLNode { .scalar(.plain(YAMLScalar.formatDouble(value))) }

    /// `true` or `false`, written plain.
    public static func bool(_ value: Bool) -> YAMLNode { .scalar(.plain(value ? "true" : "false")) }

    /// `null`, written plain.
    public static var null: YAMLNode { .scalar(.plain("null")) }

    /// A plain scalar written verbatim: its meaning is whatever YAML 1.1 makes
    /// of it (`.plain("1.0e-4")` is a float, `.plain("no")` a bool).
    public static func plain(_ text: String) -> YAMLNode { .scalar(.plain(text)) }

    /// An empty mapping.
    public static var emptyMapping: YAMLNode { .mapping(YAMLMapping()) }

    // MARK: reading

    public var scalar: YAMLScalar? {
        if case .scalar(let s) = self { return s }
        return nil
    }

    public var mapping: YAMLMapping? {
        if case .mapping(let m) = self { return m }
        return nil
    }

    public var sequence: [YAMLNode]? {
        if case .sequence(let items) = self { return items }
        return nil
    }

    /// The text of a scalar that resolves to a string (nil for `3`, `true`, `~`).
    public var stringValue: String? { scalar?.stringValue }
    /// The text of any scalar, whatever it resolves to.
    public var scalarText: String? { scalar?.text }
    public var intValue: Int? { scalar?.intValue }
    /// A float, or an int converted to `Double`.
    public var doubleValue: Double? { scalar?.doubleValue }
    public var boolValue: Bool? { scalar?.boolValue }
    public var isNull: Bool { scalar?.isNull ?? false }

    /// The value for `key` when this is a mapping.
    public subscript(key: String) -> YAMLNode? {
        mapping?[key]
    }

    /// The item at `index` when this is a sequence and the index is valid.
    public subscript(index: Int) -> YAMLNode? {
        guard let items = sequence, items.indices.contains(index) else { return nil }
        return items[index]
    }
}

extension YAMLNode: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: YAMLNode...) { self = .sequence(elements) }
    public init(dictionaryLiteral elements: (String, YAMLNode)...) { self = .mapping(YAMLMapping(elements)) }
}
