import Foundation
import Testing

/// Tables fit the terminal: at COLUMNS=80 on LLaMA-Factory's real 104-entry registry no line is
/// wider than 80 columns and none ends in a space; `--wide` shows every column in full.
@Suite("tables fit 80 columns", .enabled(if: binaryAvailable))
struct TableWidthTests {
    /// A checkout with the real registry, a long-named local dataset and one finished run.
    static func fixture() throws -> (dir: TempDir, root: String) {
        let dir = try TempDir("lfm-width")
        let root = try dir.checkout()
        let run = "20261124-215317-sft-a-model-with-a-rather-long-name"
        try dir.write("lf/.lfm/runs/\(run)/run.json", """
        {"id": "\(run)", "lfm_version": "0.1.0", "model": "/models/a-model-with-a-rather-long-name",
         "template": "llama3", "datasets": [{"name": "alpaca_en_demo", "checksum_algorithm": "none"},
         {"name": "identity", "checksum_algorithm": "none"}, {"name": "glaive_toolcall_en_demo", "checksum_algorithm": "none"}],
         "stage": "sft", "method": "lora", "output_dir": "\(root)/saves/x/lora/\(run)", "config": "train.yaml",
         "argv": ["llamafactory-cli", "train"], "environment": {}, "start_time": "2026-11-24T21:53:17.000Z",
         "end_time": "2026-11-24T21:58:17.000Z", "status": "finished", "exit_code": 0, "detached": false, "notes": []}
        """)
        // A workspace template: its SOURCE is a full path.
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        try dir.write("lf/templates/sft.yaml", try String(contentsOf: repo.appendingPathComponent("templates/sft.yaml"), encoding: .utf8))
        return (dir, root)
    }

    /// Terminal columns of each line (CJK counts 2).
    static func widths(_ text: String) -> [Int] {
        let wide: [ClosedRange<UInt32>] = [0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFF00...0xFF60]
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.unicodeScalars.reduce(0) { width, scalar in width + (wide.contains { $0.contains(scalar.value) } ? 2 : 1) }
        }
    }

    @Test("every line fits 80 columns and none ends in a space", arguments: [
        ["list"], ["templates"], ["models"], ["runs"], ["stats", "glaive_toolcall_en_demo"], ["stats", "alpaca_zh_demo"],
    ])
    func fits(_ arguments: [String]) async throws {
        let (dir, root) = try Self.fixture()
        let result = try await lfm(arguments + ["--lf-dir", root], cwd: dir.path, environment: ["COLUMNS": "80"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count >= 2)
        for (line, width) in zip(lines, Self.widths(result.stdout)) {
            #expect(width <= 80, "\(width) columns: \(line)")
            #expect(!line.hasSuffix(" "), "trailing space: \(line)")
        }
    }

    @Test("list at 80 columns: 104 rows, long sources elided in the middle, low-value columns dropped and named")
    func listAt80() async throws {
        let (dir, root) = try Self.fixture()
        let result = try await lfm(["list", "--lf-dir", root], cwd: dir.path, environment: ["COLUMNS": "80"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 105)
        #expect(lines[0].hasPrefix("NAME") && lines[0].contains("SOURCE") && lines[0].contains("STATUS") && !lines[0].contains("SIZE"))
        let kto = try #require(lines.first { $0.hasPrefix("ultrafeedback_kto ") })
        #expect(kto.contains("hf:argill") && kto.contains("…") && kto.contains("leaned-kto"))
        #expect(result.stderr.contains("--wide"))
    }

    @Test("--wide shows every column in full and still no trailing spaces", arguments: [["list"], ["models"], ["runs"], ["templates"]])
    func wide(_ arguments: [String]) async throws {
        let (dir, root) = try Self.fixture()
        let result = try await lfm(arguments + ["--lf-dir", root, "--wide"], cwd: dir.path, environment: ["COLUMNS": "80"])
        #expect(result.status == 0)
        #expect(!result.stdout.contains("…"))
        #expect(Self.widths(result.stdout).contains { $0 > 80 })
        #expect(!result.stdout.split(separator: "\n").contains { $0.hasSuffix(" ") })
        #expect(!result.stderr.contains("hidden"))
    }

    @Test("the width comes from COLUMNS: at 100 columns FORMAT is back")
    func wider() async throws {
        let (dir, root) = try Self.fixture()
        let result = try await lfm(["list", "--lf-dir", root], cwd: dir.path, environment: ["COLUMNS": "100"])
        let widths = Self.widths(result.stdout)
        #expect(widths.allSatisfy { $0 <= 100 } && widths.contains { $0 > 80 })
        #expect(result.stdout.hasPrefix("NAME") && result.stdout.split(separator: "\n")[0].contains("FORMAT"))
    }
}
