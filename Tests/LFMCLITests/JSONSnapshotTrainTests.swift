import Foundation
import Testing
import TestSupport

/// The `--json` documents of the training commands (docs/json.md), pinned as snapshots:
/// train --dry-run (local and --k8s), runs, status, cancel, plot, eval (dry run and a run
/// against a fake llamafactory-cli), compare, export --dry-run and chat --dry-run. Temporary
/// paths become `$TMP`, clock times and the ids made from them `$TIME`.
@Suite("--json snapshots: training", .enabled(if: binaryAvailable))
struct JSONSnapshotTrainTests {
    /// `output` with run-specific text replaced: the temp dir, ISO times (`lfm eval`'s) and, with
    /// `newID`, the time in a new run's id.
    static func stable(_ output: String, tmp: String, newID: Bool) -> String {
        var text = output.replacingOccurrences(of: tmp, with: "$TMP")
        text = text.replacingOccurrences(of: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"#, with: "$TIME", options: .regularExpression)
        if newID {
            // `20261129-094813-sft-…` (a run id) and `sft-20261129-n2-…` (a multi-node job name).
            text = text.replacingOccurrences(of: #"\d{8}-\d{6}(?=-)"#, with: "$TIME", options: .regularExpression)
            text = text.replacingOccurrences(of: #"\d{8}(?=-n\d)"#, with: "$DATE", options: .regularExpression)
        }
        return text
    }

    static func expectSnapshot(_ result: CLIResult, _ name: String, tmp: String, newID: Bool = false) {
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json != nil, "not JSON: \(result.stdout)")
        #expect(Snapshot.mismatch(stable(result.stdout, tmp: tmp, newID: newID), named: name) == nil)
    }

    /// EvalCommandTests' workspace (a finished run with an adapter and a fake venv), plus a
    /// loss curve, a checkpoint, and a second finished run with another learning rate.
    static func runs() async throws -> (dir: TempDir, ws: String, run: String, other: String) {
        let (dir, ws, run) = try await EvalCommandTests.fixture()
        let runDir = ws + "/.lfm/runs/"
        // A model directory that exists (export checks it).
        try dir.write("models/tiny/config.json", "{}")
        for file in ["train.yaml", "run.json"] {
            let text = try String(contentsOfFile: runDir + run + "/" + file, encoding: .utf8)
            try text.replacingOccurrences(of: "/models/tiny", with: dir.path + "/models/tiny")
                .write(toFile: runDir + run + "/" + file, atomically: true, encoding: .utf8)
        }
        try dir.write("out/trainer_log.jsonl", """
        {"current_steps": 1, "total_steps": 2, "loss": 2.5, "lr": 0.0001, "epoch": 0.5, "percentage": 50.0, "elapsed_time": "0:00:01", "remaining_time": "0:00:01"}
        {"current_steps": 2, "total_steps": 2, "loss": 1.25, "lr": 0.00005, "epoch": 1.0, "percentage": 100.0, "elapsed_time": "0:00:02", "remaining_time": "0:00:00"}

        """)
        try dir.write("out/checkpoint-2/adapter_model.safetensors", "")
        try dir.write("out/checkpoint-2/trainer_state.json", #"{"global_step": 2, "max_steps": 2, "epoch": 1.0, "num_train_epochs": 1.0}"#)
        let other = "20261129-080000-sft-tiny"
        try FileManager.default.copyItem(atPath: runDir + run, toPath: runDir + other)
        let yaml = try String(contentsOfFile: runDir + other + "/train.yaml", encoding: .utf8)
        try (yaml + "\nlearning_rate: 1.0e-3\n").write(toFile: runDir + other + "/train.yaml", atomically: true, encoding: .utf8)
        let record = try String(contentsOfFile: runDir + other + "/run.json", encoding: .utf8)
            .replacingOccurrences(of: run, with: other).replacingOccurrences(of: "\(dir.path)/out", with: "\(dir.path)/out2")
        try record.write(toFile: runDir + other + "/run.json", atomically: true, encoding: .utf8)
        return (dir, ws, run, other)
    }

    @Test func trainDryRun() async throws {
        let (dir, workspace) = try await TrainCommandTests.fixture()
        // dataloader_num_workers would follow this machine's cores and /dev/shm: fixed here.
        let result = try await lfm(["train", "--dry-run", "--json", "--model", "llama3", "--dataset", "support",
                                    "--set", "dataloader_num_workers=0", "--lf-dir", workspace],
                                   cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        Self.expectSnapshot(result, "train-dry-run", tmp: dir.path, newID: true)
        let k8s = try await lfm(["train", "--dry-run", "--json", "--model", "llama3", "--dataset", "support", "--k8s", "--image", "img",
                                 "--pvc", "pvc", "--nnodes", "2", "--set", "dataloader_num_workers=0", "--lf-dir", workspace],
                                cwd: dir.path, environment: TrainCommandTests.bareEnvironment)
        Self.expectSnapshot(k8s, "train-k8s-dry-run", tmp: dir.path, newID: true)
    }

    @Test func runsStatusCancelPlot() async throws {
        let (dir, ws, run, _) = try await Self.runs()
        Self.expectSnapshot(try await lfm(["runs", "--json", "--lf-dir", ws], cwd: dir.path), "runs", tmp: dir.path)
        Self.expectSnapshot(try await lfm(["status", run, "--json", "--lf-dir", ws], cwd: dir.path), "status", tmp: dir.path)
        Self.expectSnapshot(try await lfm(["cancel", run, "--dry-run", "--json", "--lf-dir", ws], cwd: dir.path), "cancel-dry-run", tmp: dir.path)
        Self.expectSnapshot(try await lfm(["plot", run, "--json", "--lf-dir", ws], cwd: dir.path), "plot", tmp: dir.path)
    }

    @Test func evalCompareExport() async throws {
        let (dir, ws, run, other) = try await Self.runs()
        let env = EvalCommandTests.bareEnvironment
        Self.expectSnapshot(try await lfm(["eval", run, "--dry-run", "--json", "--max-samples", "3", "--lf-dir", ws], cwd: dir.path,
                                          environment: env), "eval-dry-run", tmp: dir.path)
        Self.expectSnapshot(try await lfm(["eval", run, "--json", "--lf-dir", ws], cwd: dir.path, environment: env), "eval", tmp: dir.path)
        Self.expectSnapshot(try await lfm(["compare", run, other, "--json", "--lf-dir", ws], cwd: dir.path), "compare", tmp: dir.path)
        Self.expectSnapshot(try await lfm(["export", run, "--dry-run", "--json", "--lf-dir", ws], cwd: dir.path, environment: env),
                            "export-dry-run", tmp: dir.path)
        Self.expectSnapshot(try await lfm(["chat", run, "--dry-run", "--json", "--lf-dir", ws], cwd: dir.path, environment: env),
                            "chat-dry-run", tmp: dir.path)
    }
}
