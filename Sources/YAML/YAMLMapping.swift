/// An ordered YAML mapping with string keys.
///
/// Keys keep their insertion order; assigning to an existing key replaces its
/// value in place; assigning `nil` removes it. Lookups are O(1) (an index is
/// kept beside the ordered storage). Equality is order-sensitive.
public struct YAMLMapping: Equatable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: YAMLNode)

    public private(set) var keys: [String] = []
    public private(set) var values: [YAMLNode] = []
    private var index: [String: Int] = [:]

    public init() {}

    /// Builds a mapping from pairs in order; a repeated key replaces the earlier
    /// value in place (like a Python dict).
    public init<S: Sequence>(_ entries: S) where S.Element == (String, YAMLNode) {
        for (key, value) in entries { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, YAMLNode)...) {
        self.init(elements)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The (key, value) pairs in order.
    public var entries: [Element] { zip(keys, values).map { (key: $0, value: $1) } }

    public func contains(key: String) -> Bool { index[key] != nil }

    public subscript(key: String) -> YAMLNode? {
        get { index[key].map { values[$0] } }
        set {
            if let newValue {
                if let i = index[key] {
                    values[i] = newValue
                } else {
                    index[key] = keys.count
                    keys.append(key)
                    values.append(newValue)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Removes `key`, keeping the order of the others; returns the old value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> YAMLNode? {
        guard let i = index.removeValue(forKey: key) else { return nil }
        keys.remove(at: i)
        let old = values.remove(at: i)
        for j in i..<keys.count { index[keys[j]] = j }
        return old
    }

    /// Sets every entry of `other` in order (existing keys are replaced in
    /// place, new keys appended).
    public mutating func merge(_ other: YAMLMapping) {
        for (key, value) in other { self[key] = value }
    }

    public func merging(_ other: YAMLMapping) -> YAMLMapping {
        var copy = self
        copy.merge(other)
        return copy
    }

    public func makeIterator() -> AnyIterator<Element> {
        var i = 0
        return AnyIterator {
            guard i < keys.count else { return nil }
            defer { i += 1 }
            return (key: keys[i], value: values[i])
        }
    }

    public static func == (lhs: YAMLMapping, rhs: YAMLMapping) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }
}
