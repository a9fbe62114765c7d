import ArgumentParser
import Foundation
import LFMCore

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List every registered dataset with its format, size, record count and health.",
        discussion: """
        Status is one of: ok, missing file, invalid, entry problem (the entry itself would fail in \
        LLaMA-Factory, e.g. partial columns), unchecked (csv/parquet/arrow/folders), remote (hub, cloud). \
        Record counts are cached by file size and modification time. --check validates every local file \
        (every record, and the fields LLaMA-Factory would drop) and exits 1 when any dataset has an \
        error (missing file, invalid records, dropped fields, entry problem).
        """)

    @Flag(help: "Validate every local file (slower), not just count its records.")
    var check = false

    @OptionGroup var workspaceOptions: WorkspaceOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var tableOptions: TableOptions

    func run() throws {
        let workspace = try workspaceOptions.workspace()
        let listing = DatasetListing(registry: workspace.registry.path,
                                     datasets: try DatasetLister(workspace: workspace, check: check).summaries())
        let rows = listing.datasets
        if output.json {
            try Terminal.json(listing)
            if check && !listing.ok { throw Exit.failure }
            return
        }
        if rows.isEmpty {
            Terminal.out("No datasets registered in \(workspace.registry.path). Add one with: lfm register FILE")
            return
        }
        let table = rows.map { row -> [String] in
            // Names and file names come from a file anyone may edit: print escape sequences escaped.
            // Pretraining text has no conversation format (its `formatting` key is a default nobody chose).
            [DisplayText.escaped(row.name), DisplayText.escaped(row.source),
             row.kind == DatasetKind.pretrain.rawValue ? "text" : DisplayText.escaped(row.formatting), row.kind,
             row.records.map { "\($0)" } ?? "-", Terminal.bytes(row.bytes), statusText(row.status)]
        }
        Terminal.out(TextTable([
            .init("NAME"), .init("SOURCE", elide: .middle, minWidth: 18), .init("FORMAT", dropRank: 1), .init("KIND", dropRank: 2),
            .init("RECORDS", rightAligned: true), .init("SIZE", rightAligned: true, dropRank: 0), .init("STATUS"),
        ], table).fitted(tableOptions))
        let problems = rows.filter { !$0.problems.isEmpty }
        for row in problems {
            for problem in row.problems.prefix(3) { Terminal.warning(DisplayText.escaped("\(row.name): \(problem)")) }
        }
        let local = rows.filter { $0.path != nil }.count
        Terminal.err(Terminal.paint("\(rows.count) dataset\(rows.count == 1 ? "" : "s") (\(local) local) in \(workspace.registry.path)", .dim, stderr: true))
        if check && !listing.ok {
            let bad = listing.failing.map(\.name)
            Terminal.error("\(bad.count) dataset\(bad.count == 1 ? " has" : "s have") errors: \(bad.joined(separator: ", "))")
            Terminal.hint("see the details with: lfm validate \(bad[0])")
            throw Exit.failure
        }
    }

    private func statusText(_ status: DatasetSummary.Status) -> String {
        switch status {
        case .ok: return Terminal.paint("ok", .green)
        case .missingFile, .invalid, .problem: return Terminal.paint(status.rawValue, .red)
        case .remote, .unchecked: return Terminal.paint(status.rawValue, .dim)
        }
    }
}
