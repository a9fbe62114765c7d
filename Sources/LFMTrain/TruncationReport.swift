import Foundation
import LFMTools

/// How many of a dataset's examples are longer than `cutoff_len` tokens, before launch.
/// LLaMA-Factory cuts such examples silently in sft/dpo/kto/rm (it can only truncate) and, with
/// packing (pt), splits documents across blocks; this says how many, with the length
/// distribution and a `cutoff_len` that keeps 99% whole (``StatsCollector/Report/suggestedCutoff``).
public struct TruncationReport: Sendable, Encodable {
    public var cutoffLen: Int
    /// Examples measured (every record lfm could read).
    public var examples: Int
    /// Examples whose text (prompt + longest response) is longer than `cutoffLen` tokens.
    public var longer: Int
    public var share: Double
    public var p50: Int
    public var p95: Int
    public var p99: Int
    public var max: Int
    public var suggestedCutoff: Int
    /// True with the model's own tokenizer; false for the labelled estimate.
    public var exact: Bool
    /// Pretraining text is packed: long documents are split across blocks, not cut.
    public var packed: Bool
    /// Measured on a seeded random sample of this many records (large datasets), nil: all.
    public var sampled: Int?

    /// Above this share of long examples `lfm train` warns.
    public static let warnShare = 0.01

    enum CodingKeys: String, CodingKey {
        case cutoffLen = "cutoff_len", examples, longer, share, p50, p95, p99, max
        case suggestedCutoff = "suggested_cutoff_len", exact, packed, sampled
    }

    public init(stats: StatsCollector.Report, stage: String, cutoffLen: Int, used: Int?) {
        let total = stats.field("total")?.tokens ?? LengthDistribution()
        self.cutoffLen = cutoffLen
        examples = total.count
        longer = cutoffLen > 0 ? total.countAbove(cutoffLen) : 0
        share = examples == 0 ? 0 : Double(longer) / Double(examples)
        let ps = total.count == 0 ? [0, 0, 0] : total.percentiles([50, 95, 99])
        p50 = ps[0]
        p95 = ps[1]
        p99 = ps[2]
        max = total.count == 0 ? 0 : total.max
        suggestedCutoff = stats.suggestedCutoff
        exact = stats.tokensExact
        packed = stage == "pt"
    }

    public var warns: Bool { !packed && share > Self.warnShare }

    /// One line for the plan, e.g. "support: 12 examples, 0 longer than cutoff_len 2048 tokens
    /// (p50 41, p95 88, p99 90; estimated)".
    public func line(name: String) -> String {
        let how = (exact ? "" : ", estimated") + (sampled.map { ", sample of \($0)" } ?? "")
        let dist = "p50 \(p50), p95 \(p95), p99 \(p99), max \(max) tokens\(how)"
        if packed {
            return "\(name): \(examples) documents (\(dist)); pt packs them into cutoff_len blocks"
        }
        let percent = String(format: "%.1f%%", share * 100)
        return "\(name): \(longer) of \(examples) examples (\(percent)) over cutoff_len \(cutoffLen) (\(dist))"
    }

    /// The warning above ``warnShare``, with the fixes.
    public func warning(name: String) -> String? {
        guard warns else { return nil }
        let percent = String(format: "%.1f%%", share * 100)
        let counted = sampled == nil ? "\(longer) of \(examples) examples" : "about \(percent) of the examples (a random sample of \(examples))"
        return "\(counted) of \(name)\(sampled == nil ? " (\(percent))" : "") are longer than cutoff_len \(cutoffLen) tokens\(exact ? "" : " (estimated)") and LLaMA-Factory will cut them; "
            + "--cutoff-len \(suggestedCutoff) (or --cutoff-len auto) keeps 99% whole, --drop-long trains on \(sampled == nil ? "the \(examples - longer)" : "those") that fit"
    }
}
