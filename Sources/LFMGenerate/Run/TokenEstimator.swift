import LFMTools

/// Token counts for `generate`'s cost estimate, without a tokenizer: the same estimate as
/// `lfm stats` (`EstimatedTokenCounter`, LFMTools), plus the expected reply size.
public enum TokenEstimator {
    public static let method = "estimate without a tokenizer: CJK characters ×1.0 + Latin words ×1.3 + other symbols ×1.0 (as lfm stats); replies ~120 tokens per record"
    /// Expected reply tokens per requested record.
    public static let tokensPerRecord = 120

    public static func estimate(_ text: String) -> Int { EstimatedTokenCounter.estimate(text) }

    public static func estimate(_ messages: [ChatMessage]) -> Int {
        messages.reduce(0) { $0 + estimate($1.content) + 4 }
    }
}
