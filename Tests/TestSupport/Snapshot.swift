import Foundation

/// Snapshot files for `--json` documents (docs/json.md): `Tests/<Target>/Snapshots/NAME.json`.
///
/// `Snapshot.mismatch(output, named:)` returns nil when the text equals the stored file, or a
/// message with the first differing line. A missing snapshot is a mismatch (a snapshot test must
/// be able to fail); run the tests with `LFM_UPDATE_SNAPSHOTS=1` to write/refresh the files, then
/// review them with `git diff`. Pass `replacing` to turn run-specific text (temporary folders,
/// timestamps) into stable placeholders first.
public enum Snapshot {
    public static func mismatch(
        _ actual: String,
        named name: String,
        replacing replacements: [(String, String)] = [],
        filePath: String = #filePath
    ) -> String? {
        var text = actual
        for (from, to) in replacements where !from.isEmpty {
            text = text.replacingOccurrences(of: from, with: to)
        }
        if !text.hasSuffix("\n") { text += "\n" }
        let directory = URL(fileURLWithPath: filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
        let file = directory.appendingPathComponent("\(name).json")
        if ProcessInfo.processInfo.environment["LFM_UPDATE_SNAPSHOTS"] == "1" {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            do { try Data(text.utf8).write(to: file, options: .atomic) } catch { return "could not write \(file.path): \(error)" }
            return nil
        }
        guard let stored = try? String(contentsOf: file, encoding: .utf8) else {
            return "no snapshot \(file.path); run with LFM_UPDATE_SNAPSHOTS=1 to record it. Output:\n\(text)"
        }
        if stored == text { return nil }
        let a = stored.split(separator: "\n", omittingEmptySubsequences: false)
        let b = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = Array(zip(a, b)).firstIndex { $0 != $1 } ?? min(a.count, b.count)
        let expected = line < a.count ? String(a[line]) : "<end>"
        let got = line < b.count ? String(b[line]) : "<end>"
        return "snapshot \(name) differs at line \(line + 1):\n  expected: \(expected)\n  actual:   \(got)\n(LFM_UPDATE_SNAPSHOTS=1 rewrites it)"
    }
}
