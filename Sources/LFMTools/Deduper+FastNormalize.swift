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
///
/// The result is a buffer of scalar values (what the shingles and the normalized hash read),
/// not a `String`: appending scalar by scalar to a `String` was ~28% of `lfm dedupe`.
extension Deduper {
    enum FoldClass: UInt8 { case keep, space, drop }

    /// The table scalars in one flat array: index ``foldIndex(_:)``; its folded scalars are
    /// `out[start[i]..<start[i + 1]]`, each `class << 24 | scalar`; `usable[i]` false = general path.
    struct FoldTable {
        var start: [Int32] = [0]
        var usable: [Bool] = []
        var out: [UInt32] = []
    }

    static let foldRanges: [ClosedRange<UInt32>] = [0x00...0xFF, 0x2000...0x206F, 0x3000...0x303F, 0xFF00...0xFFEF]

    /// Position of `v` in the flat table, or -1.
    @inline(__always)
    static func foldIndex(_ v: UInt32) -> Int {
        if v < 0x100 { return Int(v) }
        if v &- 0x2000 < 0x70 { return 0x100 + Int(v &- 0x2000) }
        if v &- 0x3000 < 0x40 { return 0x170 + Int(v &- 0x3000) }
        if v &- 0xFF00 < 0xF0 { return 0x1B0 + Int(v &- 0xFF00) }
        return -1
    }

    static let foldTable: FoldTable = {
        var table = FoldTable()
        for range in foldRanges {
            for v in range {
                precondition(foldIndex(v) == table.usable.count)
                var plain = false
                if let scalar = Unicode.Scalar(v) {
                    let folded = String(Character(scalar)).precomposedStringWithCompatibilityMapping.lowercased()
                    plain = true
                    for out in folded.unicodeScalars {
                        if out.properties.canonicalCombiningClass != .notReordered { plain = false }
                    }
                    if plain {
                        for out in folded.unicodeScalars { table.out.append(UInt32(foldClass(out).rawValue) << 24 | out.value) }
                    }
                }
                table.usable.append(plain)
                table.start.append(Int32(table.out.count))
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

    /// The normalized text's scalars in `out` (replacing its contents), or false when a scalar
    /// is outside the table (use the general path).
    static func normalizeFast(_ text: String, into out: inout [UInt32]) -> Bool {
        out.removeAll(keepingCapacity: true)
        let table = foldTable
        var space = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v &- 0x4E00 < 0x5200 {
                if space && !out.isEmpty { out.append(0x20) }
                space = false
                out.append(v)
                continue
            }
            let i = foldIndex(v)
            guard i >= 0, table.usable[i] else { return false }
            for k in Int(table.start[i])..<Int(table.start[i + 1]) {
                let entry = table.out[k]
                switch entry >> 24 {
                case UInt32(FoldClass.space.rawValue): space = true
                case UInt32(FoldClass.drop.rawValue): break
                default:
                    if space && !out.isEmpty { out.append(0x20) }
                    space = false
                    out.append(entry & 0xFF_FFFF)
                }
            }
        }
        return true
    }

    /// ``normalize(_:)``'s scalars in `out`: the table path, else the general one.
    static func normalizedScalars(_ text: String, into out: inout [UInt32]) {
        if normalizeFast(text, into: &out) { return }
        out.removeAll(keepingCapacity: true)
        for scalar in normalizeGeneral(text).unicodeScalars { out.append(scalar.value) }
    }

    /// The text of normalized scalars.
    static func string(ofScalars scalars: [UInt32]) -> String {
        var view = String.UnicodeScalarView()
        for v in scalars { view.append(Unicode.Scalar(v)!) }
        return String(view)
    }
}
