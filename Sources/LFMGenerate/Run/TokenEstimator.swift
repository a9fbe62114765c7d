/// Rough token counts without a tokenizer: about 4 characters per token for Latin text and
/// 1.5 characters per token for CJK text.
public enum TokenEstimator {
    public static let method = "estimate without a tokenizer: ~4 characters per token for Latin text, ~1.5 for CJK; replies ~120 tokens per record"
    /// Expected reply tokens per requested record.
    public static let tokensPerRecord = 120

    public static func estimate(_ text: String) -> Int {
        var cjk = 0
        var other = 0
        for scalar in text.unicodeScalars {
            if TextNormalizer.isCJK(scalar) { cjk += 1 } else { other += 1 }
        }
        return Int((Double(other) / 4 + Double(cjk) / 1.5).rounded(.up))
    }

    public static func estimate(_ messages: [ChatMessage]) -> Int {
        messages.reduce(0) { $0 + estimate($1.content) + 4 }
    }
}
