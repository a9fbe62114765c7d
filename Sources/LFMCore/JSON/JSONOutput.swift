/// The one encoder of every `--json` document lfm prints (docs/json.md).
///
/// Result types are plain `Encodable` Swift types with Swift-style property names; this turns
/// them into JSON with:
/// - **snake_case keys** (`validRecords` → `valid_records`, `rougeL` → `rouge_l`) — but only the
///   keys of Swift types: the keys of a `[String: V]` dictionary or of an embedded `JSONValue`
///   are data (dataset names, record fields) and are printed exactly as they are;
/// - keys in **declaration order** (the order `encode(to:)` writes them), so documents read top
///   down and snapshot tests are stable;
/// - **`nil` as `null`**: an optional property is always present, `null` when unknown, so a
///   script can rely on every documented key (Swift's synthesized code would drop the key);
/// - numbers as numbers (`Int` exactly, `Double` in Swift's shortest round-trip form; NaN and
///   infinities, which JSON cannot carry, as `null`).
public enum JSONOutput {
    /// The document as indented text (two spaces, like Python's `json.dumps(indent=2)`).
    public static func string<T: Encodable>(_ value: T, indent: Int? = 2) throws -> String {
        JSONPrinter(indent: indent).string(try self.value(value))
    }

    /// The document as a `JSONValue`, for embedding in another document or for tests.
    public static func value<T: Encodable>(_ value: T) throws -> JSONValue {
        let root = JSONOutputNode()
        try JSONOutputEncoder(node: root, codingPath: []).encodeValue(value)
        return root.jsonValue
    }

    /// `camelCase` → `snake_case`: an underscore before each upper-case letter that follows a
    /// lower-case letter or digit, or that starts a new word after an acronym (`sha256Hex` →
    /// `sha256_hex`, `runID` → `run_id`, `URLPath` → `url_path`); then lower case.
    public static func snakeCase(_ key: String) -> String {
        let chars = Array(key)
        guard chars.contains(where: \.isUppercase) else { return key }
        var out = ""
        for (i, c) in chars.enumerated() {
            if c.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    if previous != "_" { out.append("_") }
                }
            }
            out.append(contentsOf: c.lowercased())
        }
        return out
    }
}

// MARK: - Implementation

/// A node of the document being built; containers hand out child nodes and fill them later.
final class JSONOutputNode {
    enum Content {
        case unset
        case value(JSONValue)
        case object([(key: String, node: JSONOutputNode)])
        case array([JSONOutputNode])
    }
    var content: Content = .unset

    var jsonValue: JSONValue {
        switch content {
        case .unset: return .null
        case .value(let v): return v
        case .object(let members): return .object(JSONObject(members.map { JSONMember($0.key, $0.node.jsonValue) }))
        case .array(let nodes): return .array(nodes.map(\.jsonValue))
        }
    }

    /// The child for `key`, replacing an earlier one of the same name in place.
    func child(forKey key: String) -> JSONOutputNode {
        var members: [(key: String, node: JSONOutputNode)] = []
        if case .object(let existing) = content { members = existing }
        let node = JSONOutputNode()
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].node = node
        } else {
            members.append((key, node))
        }
        content = .object(members)
        return node
    }

    func appendChild() -> JSONOutputNode {
        var nodes: [JSONOutputNode] = []
        if case .array(let existing) = content { nodes = existing }
        let node = JSONOutputNode()
        nodes.append(node)
        content = .array(nodes)
        return node
    }

    func makeObject() { if case .object = content {} else { content = .object([]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }
}

struct JSONOutputEncoder: Encoder {
    let node: JSONOutputNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.makeObject()
        // Swift's `Dictionary` encodes its keys through a private key type: those keys are data.
        let verbatim = String(describing: Key.self).contains("DictionaryCodingKey")
        return KeyedEncodingContainer(JSONOutputKeyed<Key>(node: node, codingPath: codingPath, verbatimKeys: verbatim))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.makeArray()
        return JSONOutputUnkeyed(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONOutputSingle(node: node, codingPath: codingPath)
    }

    /// Encodes `value` into `node`: scalars and `JSONValue`s directly, everything else through
    /// its `encode(to:)`.
    func encodeValue<T: Encodable>(_ value: T) throws {
        if let scalar = JSONOutputEncoder.scalar(value) {
            node.content = .value(scalar)
        } else {
            try value.encode(to: self)
        }
    }

    static func scalar(_ value: Any) -> JSONValue? {
        switch value {
        case let v as JSONValue: return v
        case let v as JSONObject: return .object(v)
        case let v as String: return .string(v)
        case let v as Bool: return .bool(v)
        case let v as Int: return .number(String(v))
        case let v as Int64: return .number(String(v))
        case let v as Int32: return .number(String(v))
        case let v as UInt64: return .number(String(v))
        case let v as UInt32: return .number(String(v))
        case let v as UInt: return .number(String(v))
        case let v as Double: return number(v)
        case let v as Float: return number(Double(v))
        default: return nil
        }
    }

    static func number(_ v: Double) -> JSONValue {
        guard v.isFinite else { return .null }
        if v == v.rounded(.towardZero), abs(v) < 1e15 { return .number(String(Int64(v)) + ".0") }
        return .number("\(v)")
    }
}

struct JSONOutputKeyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONOutputNode
    let codingPath: [any CodingKey]
    let verbatimKeys: Bool

    private func child(_ key: Key) -> JSONOutputNode {
        node.child(forKey: verbatimKeys ? key.stringValue : JSONOutput.snakeCase(key.stringValue))
    }
    private func encoder(_ key: Key) -> JSONOutputEncoder {
        JSONOutputEncoder(node: child(key), codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { child(key).content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
    // Synthesized code calls these concrete overloads for optional properties; the protocol's
    // defaults skip nil, which would drop the key.
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Float?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Int8?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Int16?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Int32?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt8?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt16?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt32?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encodeIfPresent(_ value: UInt64?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) } }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try encoder(key).encodeValue(Int(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encoder(key).encodeValue(Int(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encoder(key).encodeValue(UInt(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encoder(key).encodeValue(UInt(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encoder(key).encodeValue(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encoder(key).encodeValue(value) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        encoder(key).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer { encoder(key).unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { JSONOutputEncoder(node: node.child(forKey: "super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { encoder(key) }
}

struct JSONOutputUnkeyed: UnkeyedEncodingContainer {
    let node: JSONOutputNode
    let codingPath: [any CodingKey]
    var count: Int {
        if case .array(let nodes) = node.content { return nodes.count }
        return 0
    }

    private func encoder() -> JSONOutputEncoder { JSONOutputEncoder(node: node.appendChild(), codingPath: codingPath) }

    mutating func encodeNil() throws { node.appendChild().content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder().encodeValue(value) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        encoder().container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer { encoder().unkeyedContainer() }
    mutating func superEncoder() -> any Encoder { encoder() }
}

struct JSONOutputSingle: SingleValueEncodingContainer {
    let node: JSONOutputNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .value(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try JSONOutputEncoder(node: node, codingPath: codingPath).encodeValue(value)
    }
}

/// `JSONValue` is `Encodable` so results can embed user data (records, registry entries) as is:
/// through `JSONOutput` it is copied verbatim (key order and number text kept).
extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer(); try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer(); try c.encode(b)
        case .number(let n):
            var c = encoder.singleValueContainer()
            if let i = Int(n) { try c.encode(i) } else { try c.encode(Double(n) ?? 0) }
        case .string(let s):
            var c = encoder.singleValueContainer(); try c.encode(s)
        case .array(let elements):
            var c = encoder.unkeyedContainer()
            for element in elements { try c.encode(element) }
        case .object(let object):
            try object.encode(to: encoder)
        }
    }
}

extension JSONObject: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONObjectKey.self)
        for member in members { try c.encode(member.value, forKey: JSONObjectKey(member.key)) }
    }
}

/// The keys of a `JSONObject` under a foreign encoder (through `JSONOutput` the object is copied
/// whole and this is never used).
struct JSONObjectKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ key: String) { stringValue = key }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
