import Foundation
import LFMCore
import LFMSystem
import Testing
import YAML
@testable import LFMTrain

/// `lfm eval`'s planning, result reading and reports, without LLaMA-Factory (the real one runs
/// in Tests/Conformance/lfm_eval_e2e.sh).
@Suite struct EvalTests {
    /// Removed when the suite's tests are done (the fixtures live under it).
    let scratch: TempDir
    init() throws { scratch = try TempDir() }
    static let alpacaTrain = #"[{"instruction": "Reset?", "input": "", "output": "Hold RESET for 10 s."}]"#
    static let alpacaVal = #"[{"instruction": "Guest Wi-Fi?", "input": "", "output": "Wireless > Guest."}]"#

    /// A workspace with d_train, d_val, d_copy (= d_train's bytes) and prefs, and a finished run
    /// trained on d_train whose output dir holds an adapter.
    func fixture(status: RunRecord.Status = .finished, trained: String = "d_train") throws -> (Workspace, RunInfo, YAMLMapping) {
        let root = scratch.path("eval-\(UUID().uuidString.prefix(8))")
        let data = root + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let info = """
            {"d_train": {"file_name": "d_train.json"}, "d_val": {"file_name": "d_val.json"},
             "d_copy": {"file_name": "d_copy.json"}, "solo": {"file_name": "solo.json"},
             "prefs": {"file_name": "prefs.json", "ranking": true, "columns": {"prompt": "instruction", "chosen": "chosen", "rejected": "rejected"}}}
            """
        try info.write(toFile: data + "/dataset_info.json", atomically: true, encoding: .utf8)
        try Self.alpacaTrain.write(toFile: data + "/d_train.json", atomically: true, encoding: .utf8)
        try Self.alpacaTrain.write(toFile: data + "/d_copy.json", atomically: true, encoding: .utf8)
        try Self.alpacaTrain.write(toFile: data + "/solo.json", atomically: true, encoding: .utf8)
        try Self.alpacaVal.write(toFile: data + "/d_val.json", atomically: true, encoding: .utf8)
        try #"[{"instruction": "Hi", "chosen": "Hello", "rejected": "Go"}]"#.write(toFile: data + "/prefs.json", atomically: true, encoding: .utf8)
        let workspace = Workspace(root: root, dataDir: data, configPath: nil, origin: .flag)
        let store = RunStore(stateDir: workspace.stateDir)
        let dir = try store.create(id: "20261129-060000-sft-tiny")
        let out = root + "/saves/run"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: out + "/adapter_model.safetensors", contents: Data()))
        let yaml = """
            model_name_or_path: /models/tiny
            stage: sft
            do_train: true
            finetuning_type: lora
            dataset: \(trained)
            dataset_dir: \(data)
            template: llama3
            cutoff_len: 256
            max_samples: 1000
            val_size: 0.1
            preprocessing_num_workers: 16
            output_dir: \(out)
            bf16: false
            learning_rate: 1.0e-4
            """
        try yaml.write(toFile: dir.configFile, atomically: true, encoding: .utf8)
        let plan = LaunchPlan(executable: "/x/llamafactory-cli", arguments: ["train", dir.configFile], workingDirectory: dir.path,
                              changes: [], base: [:])
        var record = RunRecord(id: dir.id, model: "/models/tiny", template: "llama3",
                               datasets: [RunRecord.DatasetChecksum(name: trained, path: data + "/\(trained).json")],
                               stage: "sft", method: "lora", outputDir: out, config: dir.configFile, plan: plan,
                               envPrefix: "/x", detached: false)
        if status != .running { record.finish(exitCode: status == .finished ? 0 : 1) }
        try dir.write(record)
        let run = try store.info(dir)
        return (workspace, run, try YAMLParser.parse(yaml).mapping!)
    }

    static func planner(_ workspace: Workspace) throws -> EvalPlanner {
        let library = TemplateLibrary()
        return EvalPlanner(builder: TrainConfigBuilder(workspace: workspace, catalog: try library.modelCatalog(), templates: library,
                                                       currentDirectory: workspace.root))
    }

    @Test func predictTemplateIsItsOwnKind() throws {
        let template = try TemplateLibrary().template(named: "predict", kind: .predict)
        #expect(template.kind == .predict)
        #expect(!TemplateLibrary().all().contains { $0.kind == .train && $0.name == "predict" })
        let m = try template.mapping()
        #expect(m["do_predict"]?.scalarText == "true" && m["predict_with_generate"]?.scalarText == "true")
        #expect(m["max_samples"] == nil)
    }

    @Test func defaultsToTheValSplitWithTheSameSettingsForAdapterAndBase() throws {
        let (ws, run, train) = try fixture()
        var request = EvalRequest()
        request.maxSamples = 20
        request.maxNewTokens = 64
        let plan = try Self.planner(ws).plan(run: run, trainConfig: train, request: request)
        #expect(plan.datasets.map(\.name) == ["d_val"])
        #expect(plan.datasets[0].sha256 == SHA256Digest.hex(Self.alpacaVal))
        #expect(plan.configs.map(\.role) == ["adapter", "base"])
        let (a, b) = (plan.configs[0].mapping, plan.configs[1].mapping)
        #expect(a["adapter_name_or_path"]?.scalarText == run.record.outputDir)
        #expect(b["adapter_name_or_path"] == nil)
        for key in ["template", "cutoff_len", "max_new_tokens", "do_sample", "max_samples", "bf16", "eval_dataset", "model_name_or_path"] {
            #expect(a[key] == b[key], "\(key) differs")
        }
        #expect(a["cutoff_len"]?.scalarText == "256" && a["max_samples"]?.scalarText == "20" && a["max_new_tokens"]?.scalarText == "64")
        #expect(a["eval_dataset"]?.scalarText == "d_val" && a["dataset"] == nil && a["val_size"] == nil && a["do_train"] == nil)
        #expect(a["preprocessing_num_workers"] == nil && a["learning_rate"] == nil)
        #expect(a["output_dir"]?.scalarText == run.directory.path + "/eval/adapter")
        #expect(plan.configs[1].configPath == run.directory.path + "/predict-base.yaml")
        // No placeholder survives; a run without a template predicts without one.
        for config in plan.configs {
            for placeholder in ["MODEL", "ADAPTER_DIR", "DATASETS", "DATA_DIR", "TEMPLATE", "OUTPUT_DIR"] {
                #expect(!config.yaml.contains(": \(placeholder)\n"), "\(placeholder) in \(config.yaml)")
            }
        }
        var noTemplate = train
        noTemplate["template"] = nil
        let pt = try Self.planner(ws).plan(run: run, trainConfig: noTemplate, request: request)
        #expect(pt.configs[0].mapping["template"] == nil)
    }

    @Test func refusesTrainingDataByNameAndByContent() throws {
        let (ws, run, train) = try fixture()
        let planner = try Self.planner(ws)
        var request = EvalRequest()
        request.datasets = ["d_train"]
        #expect(throws: EvalError.trainingData(dataset: "d_train", trainedOn: "d_train", sameContent: false)) {
            try planner.plan(run: run, trainConfig: train, request: request)
        }
        request.datasets = ["d_copy"]
        #expect(throws: EvalError.trainingData(dataset: "d_copy", trainedOn: "d_train", sameContent: true)) {
            try planner.plan(run: run, trainConfig: train, request: request)
        }
        request.allowTrainData = true
        let plan = try planner.plan(run: run, trainConfig: train, request: request)
        #expect(plan.usesTrainingData)
        #expect(EvalError.trainingData(dataset: "a", trainedOn: "a", sameContent: false).description.contains("hint: "))
    }

    @Test func refusesWhatCannotBeEvaluated() throws {
        let (ws, run, train) = try fixture(trained: "solo")
        let planner = try Self.planner(ws)
        #expect(throws: EvalError.noHeldOutDataset(run: run.record.id, training: ["solo"])) {
            try planner.plan(run: run, trainConfig: train, request: EvalRequest())
        }
        var request = EvalRequest()
        request.datasets = ["prefs"]
        #expect(throws: EvalError.self) { try planner.plan(run: run, trainConfig: train, request: request) }
        request.datasets = ["d_vall"]
        #expect(throws: EvalError.unknownDataset("d_vall", suggestion: "d_val")) { try planner.plan(run: run, trainConfig: train, request: request) }
        let (ws2, failed, train2) = try fixture(status: .failed)
        #expect(throws: EvalError.runNotFinished(run: failed.record.id, status: "failed")) {
            try Self.planner(ws2).plan(run: failed, trainConfig: train2, request: EvalRequest())
        }
    }

    @Test func metricPackagesAreFoundInSitePackagesWithTheInstallCommand() throws {
        let s = try TempDir()
        let prefix = s.path("env")
        try s.write("env/lib/python3.11/site-packages/jieba/__init__.py", "")
        #expect(MetricPackages.missing(prefix: prefix) == ["nltk", "rouge_chinese"])
        #expect(MetricPackages.missing(prefix: s.path("nothing")) == nil)
        let env = CondaEnvironment(kind: .venv, prefix: prefix, name: nil, origin: "--env")
        do {
            try MetricPackages.check(environment: env, cli: prefix + "/bin/llamafactory-cli")
            Issue.record("missing packages were not reported")
        } catch let error as EvalError {
            #expect(error.description.contains("hint: install them: \(prefix)/bin/pip install jieba nltk rouge-chinese"))
        }
        let doctor = try #require(MetricPackages.doctorVerdict(prefix: prefix))
        #expect(doctor.level == .warning && doctor.check == "metrics" && doctor.fix == "\(prefix)/bin/pip install jieba nltk rouge-chinese")
        try s.write("env/lib/python3.11/site-packages/nltk/__init__.py", "")
        try s.write("env/lib/python3.11/site-packages/rouge_chinese/__init__.py", "")
        try MetricPackages.check(environment: env, cli: prefix + "/bin/llamafactory-cli")
        #expect(MetricPackages.doctorVerdict(prefix: prefix)?.level == .ok)
    }

    @Test func readsLlamaFactoryResultsAndComputesDeltas() throws {
        let s = try TempDir()
        let file = try s.write("predict_results.json", """
            {"predict_bleu-4": 8.519175, "predict_rouge-1": 2.409975, "predict_rouge-2": 0.0, "predict_rouge-l": 2.08335, "predict_runtime": 9.1505}
            """)
        let (m, runtime) = try EvalMetrics.read(predictResults: file)
        #expect(m == EvalMetrics(bleu4: 8.5192, rouge1: 2.41, rouge2: 0, rougeL: 2.0833))
        #expect(runtime == 9.1505)
        let d = EvalMetrics(bleu4: 10, rouge1: 1, rouge2: nil, rougeL: 5).minus(m)
        #expect(d.bleu4 == 1.4808 && d.rouge2 == nil && d.rougeL == 2.9167)
        #expect(throws: EvalError.noResults(s.path("none.json"))) { try EvalMetrics.read(predictResults: s.path("none.json")) }
        try s.write("p.jsonl", #"{"prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi?<|eot_id|>", "predict": "Yo", "label": "Hello"}"# + "\nnot json\n")
        let p = Prediction.read(s.path("p.jsonl"))
        #expect(p.count == 1 && p[0].predict == "Yo" && p[0].label == "Hello")
        #expect(p[0].plainPrompt == "user \n\nHi?")
    }

    static func record(base: Bool = true) -> EvalRecord {
        let side = { (m: Double) in
            EvalSide(model: "/m", adapter: base ? "/a" : nil, metrics: EvalMetrics(bleu4: m, rouge1: m, rouge2: m, rougeL: m),
                     samples: 2, runtimeSeconds: 1, config: "/c.yaml", yaml: "x: 1\n", outputDir: "/o", predictions: "/o/p.jsonl")
        }
        return EvalRecord(datasets: [RunRecord.DatasetChecksum(name: "d_val", path: nil)], maxSamples: nil,
                          usesTrainingData: false, adapter: side(12.5), base: base ? side(10) : nil)
    }

    @Test func reportsEscapeFoldAndShowDeltas() throws {
        let long = String(repeating: "word ", count: 100)
        let samples = EvalReport.samples(
            adapter: [Prediction(prompt: "p", predict: "<script>alert(1)</script>", label: "A & B"),
                      Prediction(prompt: "<|x|>q2", predict: long, label: "r2")],
            base: [Prediction(prompt: "p", predict: "*bold* | pipe", label: "A & B")], count: 5,
            question: { $0.label == "A & B" ? "What is <b>?" : nil })
        #expect(samples.count == 2 && samples[1].question == "q2" && samples[1].base == nil)
        let report = EvalReport(runID: "r1", model: "/m", template: "llama3", record: Self.record(), samples: samples,
                                settings: [("decoding", "greedy")])
        let html = report.html(), md = report.markdown()
        #expect(!html.contains("<script>") && html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("What is &lt;b&gt;?") && html.contains("A &amp; B"))
        #expect(html.contains("<details><summary>"))
        #expect(md.contains("| ROUGE-L | 10.00 | 12.50 | +2.50 |"))
        #expect(html.contains("<td class=\"n\">+2.50</td>"))
        #expect(!md.contains("<script>") && md.contains("\\*bold\\* \\| pipe"))
        #expect(md.contains("<details><summary><b>Adapter:</b>"))
        let noBase = EvalReport(runID: "r1", model: "/m", template: nil, record: Self.record(base: false), samples: [], settings: [])
        #expect(noBase.markdown().contains("| ROUGE-L | - | 12.50 | - |"))
        #expect(Self.record().summary == "ROUGE-L 12.50 (+2.50 vs base)  BLEU-4 12.50 (+2.50 vs base)")
    }

    @Test func runJSONKeepsTheEvalEntryAndReadsOldRuns() throws {
        let (_, run, _) = try fixture()
        var record = run.record
        record.eval = Self.record()
        try run.directory.write(record)
        let text = try String(contentsOfFile: run.directory.recordFile, encoding: .utf8)
        #expect(text.contains("\"rouge_l\": 12.5") && text.contains("\"delta\": {"))
        #expect(try run.directory.readRecord().eval == Self.record().with(time: record.eval!.time))
        record.eval = nil
        try run.directory.write(record)
        #expect(try run.directory.readRecord().eval == nil)
        #expect(!(try String(contentsOfFile: run.directory.recordFile, encoding: .utf8)).contains("\"eval\""))
    }

    @Test func compareShowsOnlyDifferingKeysAndFlagsDifferentEvalData() throws {
        let (_, a, _) = try fixture()
        let (_, b, _) = try fixture()
        var text = try String(contentsOfFile: b.record.config, encoding: .utf8)
        text = text.replacingOccurrences(of: "learning_rate: 1.0e-4", with: "learning_rate: 5.0e-4")
        try text.write(toFile: b.record.config, atomically: true, encoding: .utf8)
        var ra = a.record, rb = b.record
        ra.eval = Self.record()
        var other = Self.record()
        other.datasets[0].sha256 = "ff"
        rb.eval = other
        try a.directory.write(ra)
        try b.directory.write(rb)
        let comparison = RunComparison(runs: [try RunStore(root: (a.directory.path as NSString).deletingLastPathComponent).info(a.directory),
                                              try RunStore(root: (b.directory.path as NSString).deletingLastPathComponent).info(b.directory)])
        // dataset_dir differs between the two scratch workspaces; output_dir is ignored.
        #expect(comparison.differingKeys == ["dataset_dir", "learning_rate"])
        #expect(comparison.notes.contains { $0.contains("not comparable") })
    }
}

extension EvalRecord {
    func with(time: String) -> EvalRecord {
        var copy = self
        copy.time = time
        return copy
    }
}
