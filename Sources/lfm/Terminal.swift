import Foundation
import LFMCore

/// Printing for people and scripts: stdout for results, stderr for messages and progress,
/// colour only on a terminal and never with NO_COLOR.
enum Terminal {
    static let stdoutIsTTY = isatty(STDOUT_FILENO) == 1
    static let stderrIsTTY = isatty(STDERR_FILENO) == 1
    static let colorEnabled: Bool = {
        let env = ProcessInfo.processInfo.environment
        if env["NO_COLOR"].map({ !$0.isEmpty }) == true { return false }
        if env["TERM"] == "dumb" { return false }
        return stdoutIsTTY
    }()
    static let stderrColorEnabled: Bool = {
        let env = ProcessInfo.processInfo.environment
        if env["NO_COLOR"].map({ !$0.isEmpty }) == true { return false }
        if env["TERM"] == "dumb" { return false }
        return stderrIsTTY
    }()

    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", cyan = "36"
    }

    static func paint(_ text: String, _ style: Style, stderr: Bool = false) -> String {
        (stderr ? stderrColorEnabled : colorEnabled) ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    static func out(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func error(_ message: String) {
        err(paint("error:", .red, stderr: true) + " " + message)
    }

    static func warning(_ message: String) {
        err(paint("warning:", .yellow, stderr: true) + " " + message)
    }

    /// The line under an `error:` that says what to do about it.
    static func hint(_ message: String) {
        err(paint("hint:", .cyan, stderr: true) + " " + message)
    }

    static func note(_ message: String) {
        err(paint("note:", .cyan, stderr: true) + " " + message)
    }

    static func json(_ value: JSONValue) {
        out(JSONPrinter(indent: 2).string(value))
    }

    /// Prints a `--json` result: every command's document goes through `JSONOutput` (snake_case
    /// keys in declaration order, `null` for unknown values; docs/json.md).
    static func json<T: Encodable>(_ value: T) throws {
        out(try JSONOutput.string(value))
    }

    /// A left-aligned table with a header, columns padded to their widest cell (display width).
    /// Every column in full; `TextTable` fits a table to the terminal.
    static func table(_ header: [String], _ rows: [[String]], rightAligned: Set<Int> = []) -> String {
        TextTable(header.enumerated().map { TextTable.Column($1, rightAligned: rightAligned.contains($0)) }, rows).render(width: nil)
    }

    /// Terminal columns a string occupies (CJK and other wide characters count 2; colour codes 0).
    static func displayWidth(_ s: String) -> Int {
        var inEscape = false
        return s.unicodeScalars.reduce(0) { width, scalar in
            let v = scalar.value
            if v == 0x1B { inEscape = true; return width }
            if inEscape {
                if (0x40...0x7E).contains(v) && v != 0x5B { inEscape = false }
                return width
            }
            if v < 0x300 { return width + 1 }  // Latin, no combining marks: skips the Unicode property lookup (lfm list)
            return width + (CJK.isWide(v) ? 2 : (scalar.properties.generalCategory == .nonspacingMark ? 0 : 1))
        }
    }

    static func bytes(_ count: Int?) -> String {
        guard let count else { return "-" }
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        guard unit > 0 else { return "\(count) B" }
        // C's printf, not String(format:), whose locale machinery cost `lfm list` start-up time.
        var digits = [CChar](repeating: 0, count: 32)
        _ = withVaList([value]) { vsnprintf(&digits, digits.count, value >= 100 ? "%.0f" : "%.1f", $0) }
        return String(decoding: digits.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + " " + units[unit]
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private var lastDraw = Date.distantPast
    private var lastWidth = 0
    private let start = Date()

    init(label: String, enabled: Bool = Terminal.stderrIsTTY) {
        self.label = label
        self.enabled = enabled
    }

    /// Draws `done` of `total`; `detail` replaces the default byte-rate text.
    func update(done: Int, total: Int, detail: String? = nil) {
        guard enabled, total > 0 else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || done >= total else { return }
        lastDraw = now
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed / 1e6 : 0
        let line = "\(label) \(bar) \(Int(fraction * 100))%  \(detail ?? String(format: "%.0f MB/s", rate)) "
        lastWidth = max(lastWidth, Terminal.displayWidth(line))
        FileHandle.standardError.write(Data(("\r" + line).utf8))
    }

    /// Clears the bar with spaces rather than an escape sequence (NO_COLOR and dumb terminals
    /// must get no escape codes at all).
    func finish() {
        guard enabled, lastDraw != .distantPast else { return }
        FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: lastWidth) + "\r").utf8))
    }
}
