import Foundation
import Testing

/// `lfm eval` against a FAKE llamafactory-cli (a shell script that writes what LLaMA-Factory's
/// predict writes), so the command's plumbing runs in seconds; the real LLaMA-Factory runs in
/// Tests/Conformance/lfm_eval_e2e.sh.
@Suite("lfm eval", .enabled(if: binaryAvailable))
struct EvalCommandTests {
    static let bareEnvironment: [String: String?] = ["PATH": "/usr/bin:/bin", "CONDA_PREFIX": nil, "VIRTUAL_ENV": nil, "CONDA_DEFAULT_ENV": nil]

    /// Writes predict_results.json and generated_predictions.jsonl into the config's output_dir;
    /// the adapter scores higher than the base model. Exits FAKE_EXIT (default 0).
    static let fakeCLI = #"""
        #!/bin/bash
        cfg=$2
        out=$(sed -n 's/^output_dir: *//p' "$cfg" | head -n 1)
        mkdir -p "$out"
        echo "fake predict $cfg"
        if grep -q '^adapter_name_or_path:' "$cfg"; then b=12.5; r=20.25; ans='Hold <RESET> & wait'; else b=2.0; r=5.0; ans='no idea'; fi
        printf '{"predict_bleu-4": %s, "predict_rouge-1": 1.0, "predict_rouge-2": 0.0, "predict_rouge-l": %s, "predict_runtime": 1.5}\n' "$b" "$r" > "$out/predict_results.json"
        printf '{"prompt": "<|start_header_id|>user<|end_header_id|>\\n\\nTEMPLATED PROMPT<|eot_id|>", "predict": "%s", "label": "Done."}\n' "$ans" > "$out/generated_predictions.jsonl"
        exit ${FAKE_EXIT:-0}
        """#

    /// ws/ with support_train and support_val registered, a finished run trained on
    /// support_train with an adapter, and a fake venv `env/` (metric packages optional).
    static func fixture(metricPackages: Bool = true) async throws -> (dir: TempDir, workspace: String, run: String) {
        let dir = try TempDir("lfm-eval")
        #expect(try await lfm(["init", "ws"], cwd: dir.path).status == 0)
        let ws = dir.path + "/ws"
        try dir.write("support_train.json", """
        [{"instruction": "Reset my password", "input": "", "output": "Use the link on the sign-in page."},
         {"instruction": "Track my parcel", "input": "", "output": "See the tracking page."}]
        """)
        try dir.write("support_val.json", """
        [{"instruction": "Cancel my order", "input": "order 12", "output": "Done."},
         {"instruction": "Change my address", "input": "", "output": "Open Settings > Address."}]
        """)
        for file in ["support_train.json", "support_val.json"] {
            let registered = try await lfm(["register", file, "--lf-dir", ws], cwd: dir.path)
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        try dir.write("env/pyvenv.cfg", "home = /usr/bin\n")
        try dir.write("env/bin/python", "#!/bin/sh\nexit 0\n")
        try dir.write("env/bin/llamafactory-cli", fakeCLI)
        for tool in ["env/bin/python", "env/bin/llamafactory-cli"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path + "/" + tool)
        }
        for module in metricPackages ? ["jieba", "nltk", "rouge_chinese"] : ["jieba"] {
            try dir.write("env/lib/python3.11/site-packages/\(module)/__init__.py", "")
        }
        let run = "20261129-070000-sft-tiny"
        let runDir = ws + "/.lfm/runs/" + run
        try dir.write("out/adapter_model.safetensors", "")
        try dir.write("ws/.lfm/runs/\(run)/train.yaml", """
        model_name_or_path: /models/tiny
        stage: sft
        do_train: true
        finetuning_type: lora
        dataset: support_train
        dataset_dir: \(ws)/data
        template: llama3
        cutoff_len: 512
        output_dir: \(dir.path)/out
        """)
        try dir.write("ws/.lfm/runs/\(run)/run.json", """
        {"id": "\(run)", "lfm_version": "test", "model": "/models/tiny", "template": "llama3",
         "datasets": [{"name": "support_train", "path": "\(ws)/data/support_train.json", "checksum_algorithm": "none"}],
         "stage": "sft", "method": "lora", "output_dir": "\(dir.path)/out", "config": "\(runDir)/train.yaml",
         "argv": [], "environment": {}, "env_prefix": "\(dir.path)/env", "start_time": "2026-11-29T07:00:00.000Z",
         "end_time": "2026-11-29T07:01:00.000Z", "status": "finished", "exit_code": 0, "detached": false, "notes": []}
        """)
        return (dir, ws, run)
    }

    @Test func dryRunPlansBothModelsAndWritesNothing() async throws {
        let (dir, ws, run) = try await Self.fixture(metricPackages: false)
        let before = dir.snapshot("ws")
        let result = try await lfm(["eval", run, "--dry-run", "--json", "--max-samples", "3", "--lf-dir", ws], cwd: dir.path,
                             environment: Self.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("\(dir.path)/env/bin/pip install jieba nltk rouge-chinese"), "\(result.stderr)")
        let json = try #require(result.json as? [String: Any], "\(result.stdout)")
        let configs = try #require(json["configs"] as? [[String: Any]])
        #expect(configs.map { $0["role"] as? String } == ["adapter", "base"])
        let yaml = try #require(configs[0]["yaml"] as? String)
        #expect(yaml.contains("eval_dataset: support_val\n") && yaml.contains("max_samples: 3\n") && yaml.contains("cutoff_len: 512\n"), "\(yaml)")
        #expect((configs[1]["yaml"] as? String)?.contains("adapter_name_or_path") == false)
        #expect(dir.snapshot("ws") == before)
    }

    @Test func refusalsChangeNothing() async throws {
        let (dir, ws, run) = try await Self.fixture(metricPackages: false)
        let before = dir.snapshot("ws")
        let missing = try await lfm(["eval", run, "--lf-dir", ws], cwd: dir.path, environment: Self.bareEnvironment)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nltk, rouge_chinese") && missing.stderr.contains("hint: install them:"), "\(missing.stderr)")
        let train = try await lfm(["eval", run, "--dataset", "support_train", "--lf-dir", ws], cwd: dir.path, environment: Self.bareEnvironment)
        #expect(train.status == 1)
        #expect(train.stderr.contains("evaluating on training data"), "\(train.stderr)")
        #expect(dir.snapshot("ws") == before)
    }

    @Test func evalRecordsScoresWritesReportsAndShowsThemInRuns() async throws {
        let (dir, ws, run) = try await Self.fixture()
        let result = try await lfm(["eval", run, "--json", "--lf-dir", ws], cwd: dir.path, environment: Self.bareEnvironment)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(result.json as? [String: Any], "\(result.stdout)")
        let delta = try #require(json["delta"] as? [String: Any])
        #expect(delta["rouge_l"] as? Double == 15.25 && delta["bleu_4"] as? Double == 10.5)
        let runDir = ws + "/.lfm/runs/" + run
        let md = try String(contentsOfFile: runDir + "/eval.md", encoding: .utf8)
        let html = try String(contentsOfFile: runDir + "/eval.html", encoding: .utf8)
        #expect(md.contains("| ROUGE-L | 5.00 | 20.25 | +15.25 |"), "\(md)")
        // The question comes from the dataset (instruction + input), the answers are escaped.
        #expect(html.contains("Cancel my order") && !html.contains("TEMPLATED PROMPT") && html.contains("Hold &lt;RESET&gt; &amp; wait") && !html.contains("<RESET>"))
        #expect(try String(contentsOfFile: runDir + "/eval.log", encoding: .utf8).contains("fake predict"))
        let runs = try await lfm(["runs", "--json", "--lf-dir", ws], cwd: dir.path)
        let list = try #require(runs.json as? [[String: Any]])
        let eval = try #require(list.first?["eval"] as? [String: Any])
        #expect((eval["adapter"] as? [String: Any])?["rouge_l"] as? Double == 20.25)
        let table = try await lfm(["runs", "--lf-dir", ws], cwd: dir.path)
        #expect(table.stdout.contains("20.2 (+15.2)") || table.stdout.contains("20.3 (+15.3)"), "\(table.stdout)")
    }

    @Test func aFailingPredictExitsWithItsCodeAndRecordsNothing() async throws {
        let (dir, ws, run) = try await Self.fixture()
        let result = try await lfm(["eval", run, "--no-base", "--lf-dir", ws], cwd: dir.path,
                             environment: Self.bareEnvironment.merging(["FAKE_EXIT": "3"]) { $1 })
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("eval.log"))
        let record = try String(contentsOfFile: ws + "/.lfm/runs/\(run)/run.json", encoding: .utf8)
        #expect(!record.contains("\"eval\""))
    }
}

