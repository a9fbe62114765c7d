import Foundation
import LFMCore

/// Token counts: the model's tokenizer when one is given, otherwise a stated estimate.
public protocol TokenCounter: AnyObject {
    /// A one-line statement of how tokens are counted.
    var method: String { get }
    var isExact: Bool { get }
    func count(_ texts: [String]) throws -> [Int]
}

/// Estimates tokens without a tokenizer: 1 per CJK character (Han, kana, Hangul), 1.3 per
/// Latin word (a run of letters or digits), 1 per other visible symbol.
public final class EstimatedTokenCounter: TokenCounter {
    public init() {}
    public var method: String { "estimate: CJK characters ×1.0 + Latin words ×1.3 + other symbols ×1.0 (pass --tokenizer for exact counts)" }
    public var isExact: Bool { false }

    public func count(_ texts: [String]) throws -> [Int] { texts.map(Self.estimate) }

    /// One token a character: the CJK table of LFMCore (``CJK/contains(_:)``).
    public static func isCJK(_ v: UInt32) -> Bool { CJK.contains(v) }

    public static func estimate(_ text: String) -> Int {
        if let ascii = estimateASCII(text) { return ascii }
        var cjk = 0, words = 0, symbols = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                let c = UInt8(v)
                let alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                if alnum {
                    if !inWord { words += 1; inWord = true }
                } else {
                    inWord = false
                    if c > 32 && c != 127 { symbols += 1 }
                }
            } else if isCJK(v) {
                inWord = false
                cjk += 1
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if !inWord { words += 1; inWord = true }
            } else {
                inWord = false
                if !scalar.properties.isWhitespace { symbols += 1 }
            }
        }
        return cjk + symbols + Int((Double(words) * 1.3).rounded(.up))
    }

    /// The same estimate on the UTF-8 bytes of an ASCII-only text; nil when it has other bytes.
    static func estimateASCII(_ text: String) -> Int? {
        var copy = text
        return copy.withUTF8 { bytes -> Int? in
            var words = 0, symbols = 0
            var inWord = false
            for c in bytes {
                if c >= 0x80 { return nil }
                let alnum = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
                if alnum {
                    if !inWord { words += 1; inWord = true }
                } else {
                    inWord = false
                    if c > 32 && c != 127 { symbols += 1 }
                }
            }
            return symbols + Int((Double(words) * 1.3).rounded(.up))
        }
    }
}
