import Foundation
import LFMTools

/// Drops records whose instruction (user side) repeats an earlier one: exactly, or after
/// `lfm dedupe`'s normalization (`Deduper.normalize`: full-width → half-width, case and
/// punctuation ignored, whitespace collapsed) - one rule for what counts as the same text.
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
        // A prompt that normalizes to nothing (all punctuation) is compared as it is.
        let folded = Deduper.normalize(prompt)
        let key = folded.isEmpty ? prompt : folded
        if normalized.contains(key) { normalizedDuplicates += 1; return false }
        normalized.insert(key)
        return true
    }
}
