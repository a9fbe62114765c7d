/// Removes an API key from text before it is shown or saved: every occurrence of the whole key,
/// and every run of text that matches the key's first 8 or more characters (a key cut short by a
/// truncated message, or a provider's own "sk-proj-…abcd" echo). Redact first, then truncate:
/// a cut can then never leave more than 7 of the key's characters behind.
public struct Redactor: Sendable {
    public static let replacement = "[redacted]"
    /// The shortest key prefix that is redacted on its own.
    public static let minimumPrefix = 8

    private let key: [UInt8]
    /// Byte lengths of the key's prefixes that end on a character boundary, 8+ characters long
    /// (or the whole key when it is shorter), ascending.
    private let lengths: Set<Int>
    private let shortest: Int

    /// `key` nil, empty or shorter than 4 characters: nothing to redact.
    public init(key: String?) {
        guard let key, key.count >= 4 else {
            self.key = []
            lengths = []
            shortest = 0
            return
        }
        self.key = Array(key.utf8)
        var lengths = Set<Int>()
        var bytes = 0
        for (index, character) in key.enumerated() {
            bytes += character.utf8.count
            if index + 1 >= Self.minimumPrefix { lengths.insert(bytes) }
        }
        lengths.insert(self.key.count)
        self.lengths = lengths
        shortest = lengths.min() ?? self.key.count
    }

    public var isActive: Bool { !key.isEmpty }

    public func callAsFunction(_ text: String) -> String { redact(text) }

    public func redact(_ text: String) -> String {
        guard !key.isEmpty else { return text }
        let bytes = Array(text.utf8)
        guard bytes.count >= shortest else { return text }
        var out: [UInt8] = []
        var changed = false
        var i = 0
        let first = key[0]
        while i < bytes.count {
            if bytes[i] == first, let length = match(bytes, at: i) {
                if !changed {
                    out.reserveCapacity(bytes.count)
                    out.append(contentsOf: bytes[0..<i])
                    changed = true
                }
                out.append(contentsOf: Self.replacement.utf8)
                i += length
                continue
            }
            if changed { out.append(bytes[i]) }
            i += 1
        }
        return changed ? String(decoding: out, as: UTF8.self) : text
    }

    /// The longest redactable key prefix starting at `start`, in bytes.
    private func match(_ bytes: [UInt8], at start: Int) -> Int? {
        var n = 0
        while n < key.count, start + n < bytes.count, bytes[start + n] == key[n] { n += 1 }
        while n >= shortest {
            if lengths.contains(n) { return n }
            n -= 1
        }
        return nil
    }
}
