import Foundation

/// perf: ``Deduper/normalize(_:)`` for texts made only of Latin-1 (U+0000-U+00FF), general
/// punctuation (U+2000-U+206F), CJK Unified Ideographs, CJK symbols and punctuation
/// (U+3000-U+303F) and half/full-width forms (U+FF00-U+FFEF), which is most of what Chinese and
/// English datasets hold. Foundation's NFKC and the Unicode
/// property lookups per scalar were most of `lfm dedupe`'s time.
///
/// Same result as the general path by construction: each scalar of those ranges is normalized
/// alone, once, by the general path's own steps (NFKC, lowercase, the property filter) into a
/// table. Normalizing scalar by scalar equals normalizing the text when no output has a
/// non-zero combining class (no reordering) and no two outputs compose; scalars whose outputs
/// are not all plain starters are left out of the table (their texts take the general path), and
/// the outputs are Latin-1, punctuation, ideographs and full-width forms, among which no
/// canonical composition of two starters exists. CJK Unified Ideographs (U+4E00-U+9FFF) have no decomposition, no case and are
/// letters (or unassigned): kept as they are.
extension Deduper {
    enum FoldClass: UInt8 { case keep, space, drop }

    /// For each table scalar: its folded scalars with their class; nil = general path.
    private static let foldTable: [UInt32: [(Unicode.Scalar, FoldClass)]] = {
        var table: [UInt32: [(Unicode.Scalar, FoldClass)]] = [:]
        let ranges: [ClosedRange<UInt32>] = [0x00...0xFF, 0x2000...0x206F, 0x3000...0x303F, 0xFF00...0xFFEF]
        for range in ranges {
            for v in range {
                guard let scalar = Unicode.Scalar(v) else { continue }
                let folded = String(Character(scalar)).precomposedStringWithCompatibilityMapping.lowercased()
                var entry: [(Unicode.Scalar, FoldClass)] = []
                var plain = true
                for out in folded.unicodeScalars {
                    if out.properties.canonicalCombiningClass != .notReordered { plain = false }
                    entry.append((out, foldClass(out)))
                }
                if plain { table[v] = entry }
            }
        }
        return table
    }()

    /// The general path's filter for one scalar of a folded text.
    static func foldClass(_ scalar: Unicode.Scalar) -> FoldClass {
        let p = scalar.properties
        if p.isWhitespace { return .space }
        switch p.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return .drop
        default:
            return .keep
        }
    }

    /// The normalized text, or nil when a scalar is outside the table (use the general path).
    static func normalizeFast(_ text: String) -> String? {
        let table = foldTable
        var out = String.UnicodeScalarView()
        var space = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v &- 0x4E00 < 0x5200 {
                if space && !out.isEmpty { out.append(" ") }
                space = false
                out.append(scalar)
                continue
            }
            guard let entry = table[v] else { return nil }
            for (folded, kind) in entry {
                switch kind {
                case .space: space = true
                case .drop: break
                case .keep:
                    if space && !out.isEmpty { out.append(" ") }
                    space = false
                    out.append(folded)
                }
            }
        }
        return String(out)
    }
}
