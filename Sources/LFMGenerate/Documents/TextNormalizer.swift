import Foundation
import LFMCore
import LFMTools

/// Small text helpers shared by the extractors and the chunker.
enum TextNormalizer {
    /// Runs of spaces/tabs/non-breaking spaces become one space; ends trimmed.
    static func collapseSpaces(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for ch in text {
            if ch == " " || ch == "\t" || ch == "\u{00A0}" || ch == "\u{200B}" || ch == "\r" {
                pendingSpace = !out.isEmpty
            } else {
                if pendingSpace { out.append(" "); pendingSpace = false }
                out.append(ch)
            }
        }
        return out
    }

    /// Joins wrapped lines with a space, or with nothing between two CJK characters.
    static func joinLines(_ lines: [String]) -> String {
        var out = ""
        for line in lines where !line.isEmpty {
            if let last = out.last, let first = line.first {
                if !(isCJK(last) && isCJK(first)) { out.append(" ") }
            }
            out += line
        }
        return out
    }

    /// Han, Hiragana, Katakana, Hangul and CJK punctuation.
    static func isCJK(_ ch: Character) -> Bool {
        guard let scalar = ch.unicodeScalars.first else { return false }
        return isCJK(scalar)
    }

    /// CJK by the one table lfm keeps (``CJK`` in LFMCore).
    static func isCJK(_ s: Unicode.Scalar) -> Bool { CJK.contains(s.value) }

    /// Share of CJK characters among non-space, non-ASCII-punctuation characters.
    static func cjkShare(_ text: String) -> Double {
        var cjk = 0
        var total = 0
        for s in text.unicodeScalars {
            if s.properties.isWhitespace { continue }
            if s.isASCII && !(s.properties.isAlphabetic || s.properties.numericType != nil) { continue }
            total += 1
            if isCJK(s) { cjk += 1 }
        }
        return total == 0 ? 0 : Double(cjk) / Double(total)
    }
}
