import ArgumentParser
import Foundation

/// A table that fits the terminal: long paths are shortened in the middle, long notes at the end,
/// low-value columns are dropped first; `--wide` shows everything. No line ends in a space.
struct TextTable {
    enum Elision { case none, middle, end }

    struct Column {
        var title: String
        var rightAligned = false
        /// Columns with a drop rank are hidden, lowest rank first, when shortening is not enough.
        var dropRank: Int?
        /// How a cell too long for the column is shortened.
        var elide: Elision = .none
        /// Shortened cells keep at least this many columns.
        var minWidth = 12

        init(_ title: String, rightAligned: Bool = false, dropRank: Int? = nil, elide: Elision = .none, minWidth: Int = 12) {
            self.title = title
            self.rightAligned = rightAligned
            self.dropRank = dropRank
            self.elide = elide
            self.minWidth = minWidth
        }
    }

    var columns: [Column]
    var rows: [[String]]

    init(_ columns: [Column], _ rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The titles of the columns hidden at this width.
    func dropped(width: Int?) -> [String] {
        let shown = Set(layout(width: width).map(\.index))
        return columns.indices.filter { !shown.contains($0) }.map { columns[$0].title }
    }

    /// The table in at most `width` columns where it can be done (nil: every column in full).
    func render(width: Int?) -> String {
        let plan = layout(width: width)
        func line(_ cells: [String], header: Bool) -> String {
            var parts: [String] = []
            for (n, slot) in plan.enumerated() {
                let column = columns[slot.index]
                var cell = slot.index < cells.count ? cells[slot.index] : ""
                if !header { cell = Self.shorten(cell, to: slot.width, column.elide) }
                let pad = String(repeating: " ", count: max(0, slot.width - Terminal.displayWidth(cell)))
                let last = n == plan.count - 1
                parts.append(column.rightAligned ? pad + cell : (last ? cell : cell + pad))
            }
            return Self.trimmingTrailingSpaces(parts.joined(separator: "  "))
        }
        var lines = [Terminal.paint(line(columns.map(\.title), header: true), .bold)]
        lines += rows.map { line($0, header: false) }
        return lines.joined(separator: "\n")
    }

    /// Which columns are shown, in order, and how wide each is.
    func layout(width: Int?) -> [(index: Int, width: Int)] {
        var shown = Array(columns.indices)
        let natural = columns.indices.map { i in
            rows.reduce(Terminal.displayWidth(columns[i].title)) { max($0, i < $1.count ? Terminal.displayWidth($1[i]) : 0) }
        }
        guard let width else { return shown.map { ($0, natural[$0]) } }
        while true {
            var widths = shown.map { natural[$0] }
            var excess = widths.reduce(0, +) + 2 * (shown.count - 1) - width
            // Shorten the widest shortenable column a step at a time, down to its minimum.
            while excess > 0 {
                var best: Int?
                for (n, i) in shown.enumerated() where columns[i].elide != .none {
                    let floor = max(columns[i].minWidth, Terminal.displayWidth(columns[i].title))
                    if widths[n] > floor && (best == nil || widths[n] > widths[best!]) { best = n }
                }
                guard let best else { break }
                widths[best] -= 1
                excess -= 1
            }
            let droppable = shown.enumerated().filter { columns[$0.element].dropRank != nil }
            guard excess > 0, let victim = droppable.min(by: { columns[$0.element].dropRank! < columns[$1.element].dropRank! }) else {
                return zip(shown, widths).map { ($0, $1) }
            }
            shown.remove(at: victim.offset)
        }
    }

    /// `text` in at most `width` terminal columns: `/home/me/…/data/file.json` or `A long no…`.
    static func shorten(_ text: String, to width: Int, _ elision: Elision) -> String {
        guard elision != .none, width > 1, Terminal.displayWidth(text) > width else { return text }
        let characters = Array(text)
        func take(_ chars: some Sequence<Character>, _ budget: Int) -> [Character] {
            var taken: [Character] = []
            var used = 0
            for c in chars {
                let w = Terminal.displayWidth(String(c))
                if used + w > budget { break }
                taken.append(c)
                used += w
            }
            return taken
        }
        switch elision {
        case .none:
            return text
        case .end:
            return String(take(characters, width - 1)) + "…"
        case .middle:
            let headBudget = (width - 1) / 2
            let head = take(characters, headBudget)
            let tail = take(characters.reversed(), width - 1 - Terminal.displayWidth(String(head))).reversed()
            return String(head) + "…" + String(tail)
        }
    }

    static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = line
        while line.last == " " { line.removeLast() }
        return line
    }
}

/// `--wide` for the commands that print tables.
struct TableOptions: ParsableArguments {
    @Flag(help: "Show every column in full, however wide (default: fit COLUMNS, else the terminal, else 80).")
    var wide = false

    /// The width to fit, or nil for `--wide`.
    var width: Int? { wide ? nil : Terminal.width }
}

extension Terminal {
    /// Columns available: `COLUMNS`, else the terminal's width, else 80.
    static var width: Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 { return columns }
        var size = winsize()
        if stdoutIsTTY, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}

extension TextTable {
    /// Renders to the width `options` asks for; says on stderr which columns were left out.
    func fitted(_ options: TableOptions) -> String {
        let hidden = dropped(width: options.width)
        if !hidden.isEmpty {
            Terminal.err(Terminal.paint("(\(hidden.joined(separator: ", ")) hidden to fit \(options.width ?? 0) columns; --wide shows every column)", .dim, stderr: true))
        }
        return render(width: options.width)
    }
}

extension Terminal {
    /// `text` word-wrapped to `width` columns (nil: unchanged); continuation lines start with
    /// `indent` spaces.
    static func wrap(_ text: String, width: Int?, indent: Int = 0) -> String {
        guard let width, displayWidth(text) > width else { return text }
        let margin = String(text.prefix { $0 == " " })
        var lines: [String] = []
        var line = margin
        var fresh = true
        for word in text.dropFirst(margin.count).split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = fresh ? line + word : line + " " + word
            if displayWidth(candidate) > width, !fresh, !word.isEmpty {
                lines.append(TextTable.trimmingTrailingSpaces(line))
                line = String(repeating: " ", count: indent) + word
            } else {
                line = candidate
            }
            fresh = false
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }
}
