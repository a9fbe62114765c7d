import Foundation

/// Splits text at sentence ends (`.` `!` `?` followed by a space, `。` `！` `？` `；` anywhere) and
/// packs pieces to a size limit without cutting words or CJK sentences when that can be avoided.
enum SentenceSplitter {
    static let latinEnds: Set<Character> = [".", "!", "?"]
    static let cjkEnds: Set<Character> = ["。", "！", "？", "；", "…"]
    static let closers: Set<Character> = ["\"", "'", ")", "]", "”", "’", "」", "』", "）", "》"]

    /// Sentences with their trailing spaces kept, so `joined()` gives back the text.
    static func sentences(_ text: String) -> [String] {
        let chars = Array(text)
        var result: [String] = []
        var start = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var end: Int? = nil
            if cjkEnds.contains(c) || c == "\n" {
                end = i + 1
            } else if latinEnds.contains(c) {
                var j = i + 1
                while j < chars.count, latinEnds.contains(chars[j]) { j += 1 }
                if j == chars.count || chars[j] == " " || chars[j] == "\n" || closers.contains(chars[j]) { end = j }
            }
            if var e = end {
                while e < chars.count, closers.contains(chars[e]) || cjkEnds.contains(chars[e]) { e += 1 }
                while e < chars.count, chars[e] == " " { e += 1 }
                result.append(String(chars[start..<e]))
                start = e
                i = e
            } else {
                i += 1
            }
        }
        if start < chars.count { result.append(String(chars[start...])) }
        return result
    }

    /// Pieces of at most `limit` characters: whole sentences where possible; a longer sentence is
    /// cut at a clause mark (，、,;:) or space, and only as a last resort mid-run.
    static func pieces(_ text: String, limit: Int) -> [String] {
        var pieces: [String] = []
        var current = ""
        for sentence in sentences(text) {
            if current.count + sentence.count <= limit {
                current += sentence
                continue
            }
            if !current.isEmpty { pieces.append(trim(current)); current = "" }
            if sentence.count <= limit {
                current = sentence
            } else {
                var parts = hardSplit(sentence, limit: limit)
                current = parts.removeLast()
                pieces.append(contentsOf: parts.map(trim))
            }
        }
        if !trim(current).isEmpty { pieces.append(trim(current)) }
        return pieces.filter { !$0.isEmpty }
    }

    static func trim(_ s: String) -> String { s.trimmingCharacters(in: .whitespacesAndNewlines) }

    /// Cuts one over-long sentence: last clause mark, else last space, else exactly at `limit`.
    static func hardSplit(_ sentence: String, limit: Int) -> [String] {
        var rest = Array(sentence)
        var parts: [String] = []
        let clauseMarks: Set<Character> = ["，", "、", ",", ";", ":", "：", "—"]
        while rest.count > limit {
            let window = rest[0..<limit]
            let minimum = limit / 3
            var cut = limit
            if let i = window.lastIndex(where: { clauseMarks.contains($0) }), i + 1 >= minimum {
                cut = i + 1
            } else if let i = window.lastIndex(where: { $0 == " " || $0 == "\n" }), i >= minimum {
                cut = i + 1
            }
            parts.append(String(rest[0..<cut]))
            rest.removeFirst(cut)
        }
        parts.append(String(rest))
        return parts
    }
}
