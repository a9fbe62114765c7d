import Foundation
import Testing
import LFMCore
import YAML
@testable import LFMTrain

/// Shared set-up for the Config* tests: temp workspaces with the LLaMA-Factory demo datasets
/// (one of each kind), a builder with a fixed clock, and helpers to run python3.
enum ConfigFixture {
    static let packageRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let goldenDir = packageRoot + "/Tests/LFMTrainTests/Golden"
    /// 2026-01-02 03:04:05 UTC.
    static let fixedNow = Date(timeIntervalSince1970: 1_767_323_045)

    /// name → (entry JSON, file name, file contents)
    static let datasets: [(name: String, entry: String, file: String, contents: String)] = [
        ("chat_sft", #"{"file_name": "chat_sft.json"}"#, "chat_sft.json",
         #"[{"instruction": "Say hi", "input": "", "output": "Hi!"}, {"instruction": "Add 2 and 2", "input": "", "output": "4"}]"#),
        ("prefs", #"{"file_name": "prefs.json", "ranking": true, "formatting": "sharegpt", "columns": {"messages": "conversations", "chosen": "chosen", "rejected": "rejected"}}"#,
         "prefs.json",
         #"[{"conversations": [{"from": "human", "value": "Hi"}], "chosen": {"from": "gpt", "value": "Hello!"}, "rejected": {"from": "gpt", "value": "Go away."}}]"#),
        ("kto_tags", #"{"file_name": "kto_tags.json", "formatting": "sharegpt", "columns": {"messages": "messages", "kto_tag": "label"}, "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant"}}"#,
         "kto_tags.json",
         #"[{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}], "label": true}]"#),
        ("raw_text", #"{"file_name": "raw_text.jsonl", "columns": {"prompt": "text"}}"#, "raw_text.jsonl",
         #"{"text": "Some plain text to continue pretraining on."}"# + "\n"),
    ]

    /// A fresh workspace `<tmp>/lfm-conf-<uuid>/<name>` with the four datasets registered.
    static func workspace(name: String = "ws", config: LFMConfig = LFMConfig()) throws -> Workspace {
        let root = ProcessScratch.path("lfm-conf") + "/\(name)"
        let data = root + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        var info = "{\n"
        info += datasets.map { "  \"\($0.name)\": \($0.entry)" }.joined(separator: ",\n")
        info += "\n}\n"
        try info.write(toFile: data + "/dataset_info.json", atomically: true, encoding: .utf8)
        for d in datasets { try d.contents.write(toFile: data + "/" + d.file, atomically: true, encoding: .utf8) }
        return Workspace(root: root, dataDir: data, configPath: nil, origin: .flag, config: config)
    }

    /// Built-ins only (no ~/.config), unless `directories` are given.
    static func builder(_ workspace: Workspace, directories: [(source: TemplateLibrary.Source, path: String)] = []) throws -> TrainConfigBuilder {
        let library = TemplateLibrary(directories: directories)
        return TrainConfigBuilder(workspace: workspace, catalog: try library.modelCatalog(), templates: library,
                                  currentDirectory: workspace.root, now: fixedNow)
    }

    static func request(_ model: String = "llama3", _ datasets: [String], stage: String? = nil,
                        method: TrainRequest.Method = .lora) -> TrainRequest {
        var request = TrainRequest(model: model, datasets: datasets)
        request.stage = stage
        request.method = method
        request.runID = "run1"
        return request
    }

    /// The error a throwing call raised, as TrainConfigError.
    static func error(_ body: () throws -> Any) -> TrainConfigError? {
        do {
            _ = try body()
            return nil
        } catch let error as TrainConfigError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }
}

/// python3 (and optionally LLaMA-Factory's venv) as a subprocess.
enum Python {
    struct Result { var status: Int32; var output: String }

    static let hasPyYAML: Bool = runChildSync("/usr/bin/env", ["python3", "-c", "import yaml"])?.status == 0
    static let llamaFactoryPython = "/root/.cache/lfm/venv-lf-0.9.5/bin/python"
    static let tinyModel = "/root/.cache/lfm/tiny-llama3"
    static let hasLlamaFactory: Bool = FileManager.default.isExecutableFile(atPath: llamaFactoryPython)
        && FileManager.default.fileExists(atPath: tinyModel + "/config.json")

    /// Runs `executable` through lfm's process runner (both pipes read at once, the exit awaited
    /// without holding a thread); `output` is its stdout, then its stderr.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let child = try await runChild(executable, arguments, environment: env)
        return Result(status: child.status, output: child.output)
    }

    static func temp(_ text: String, ext: String = "yaml") throws -> String {
        let path = ProcessScratch.path("lfm-conf") + ".\(ext)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
