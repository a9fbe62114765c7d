import LFMCore
import Testing

@Test("two swapped neighbours are one edit: lsit → list")
func suggestionCountsSwaps() {
    #expect(Suggestion.editDistance("lsit", "list") == 1)
    #expect(Suggestion.editDistance("kitten", "sitting") == 3)
    #expect(Suggestion.closest(to: "lsit", in: ["init", "list", "logs", "plot"]) == "list")
    #expect(Suggestion.closest(to: "trian", in: ["train", "runs", "status"]) == "train")
    #expect(Suggestion.closest(to: "frobnicate", in: ["init", "list", "logs"]) == nil)
}
