import Foundation

/// Drops records whose instruction (user side) repeats an earlier one: exactly, or after
/// normalization (full-width → half-width, case, whitespace and punctuation ignored).
public struct Deduplicator: Sendable {
    public private(set) var exactDuplicates = 0
    public private(set) var normalizedDuplicates = 0
    private var exact: Set<String> = []
    private var normalized: Set<String> = []

    public init() {}

    public var removed: Int { exactDuplicates + normalizedDuplicates }

    /// True when `prompt` is new (and remembers it).
    public mutating func admit(_ prompt: String) -> Bool {
        if exact.contains(prompt) { exactDuplicates += 1; return false }
        exact.insert(prompt)
        let key = Self.normalize(prompt)
        if normalized.contains(key) { normalizedDuplicates += 1; return false }
        normalized.insert(key)
        return true
    }

    /// NFKC (full-width letters, digits and punctuation become half-width), lowercased, with
    /// whitespace, punctuation and symbols removed.
    public static func normalize(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        var out = String.UnicodeScalarView()
        for scalar in folded.unicodeScalars {
            let p = scalar.properties
            if p.isWhitespace { continue }
            switch p.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
                 .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
                 .control, .format:
                continue
            default:
                out.append(scalar)
            }
        }
        return out.isEmpty ? text : String(out)
    }
}
