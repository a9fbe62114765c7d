import Foundation

/// Rules for registry names: what LLaMA-Factory's `dataset: a,b` list and file systems accept.
public enum DatasetName {
    /// Why `name` cannot be used, or nil when it is fine.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "the name is empty" }
        if name.contains(",") { return "\"\(name)\" contains a comma, which splits LLaMA-Factory's `dataset: a,b` list" }
        if name.contains("/") || name.contains("\\") { return "\"\(name)\" contains a path separator; a name is a key, not a path" }
        if name == "." || name == ".." || name.contains("..") { return "\"\(name)\" contains \"..\"" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "\"\(name)\" contains a control character" }
        if name.first?.isWhitespace == true || name.last?.isWhitespace == true { return "\"\(name)\" starts or ends with whitespace, which LLaMA-Factory strips" }
        if name.contains(" ") { return "\"\(name)\" contains a space; use - or _ (torchrun re-launches split arguments on spaces)" }
        return nil
    }

    /// A usable name derived from a file name: `My Data.v2.json` → `My_Data.v2`.
    public static func from(fileName: String) -> String {
        var base = fileName
        if let slash = base.lastIndex(of: "/") { base = String(base[base.index(after: slash)...]) }
        for ext in [".jsonl", ".json", ".txt", ".csv", ".parquet", ".arrow"] where base.lowercased().hasSuffix(ext) {
            base = String(base.dropLast(ext.count))
            break
        }
        let cleaned = base.map { c -> Character in
            (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") ? c : "_"
        }
        let name = String(cleaned).replacingOccurrences(of: "..", with: "_")
        return name.isEmpty ? "dataset" : name
    }
}
