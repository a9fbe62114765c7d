import Foundation
import Testing
import TestSupport
import LFMCore
import YAML
@testable import LFMTrain

/// NEEDS LLaMA-Factory's venv (/root/.cache/lfm/venv-lf-0.9.5, see .ci/setup-llamafactory.sh) and
/// the tiny local model /root/.cache/lfm/tiny-llama3; skipped elsewhere.
///
/// Feeds every rendered config to LLaMA-Factory's own argument parsing (`get_train_args`, and
/// `get_infer_args` for export/chat) without training: unknown keys ("Some keys are not used by
/// the HfArgumentParser"), wrong types and contradictory settings fail here. bf16 is switched off
/// with `--set bf16=false` because the check runs on a CPU.
@Test(.enabled(if: Python.hasLlamaFactory, "needs /root/.cache/lfm/venv-lf-0.9.5 (make it: .ci/setup-llamafactory.sh) and /root/.cache/lfm/tiny-llama3 (make it: /root/.cache/lfm/venv-lf-0.9.5/bin/python Tests/Conformance/make_tiny_model.py /root/.cache/lfm/tiny-llama3 --corpus-dir docs/examples)"),
      .timeLimit(.minutes(5)))
func configParsedByLlamaFactory() async throws {
    let workspace = try ConfigFixture.workspace()
    let builder = try ConfigFixture.builder(workspace)
    var train: [(label: String, path: String)] = []
    func write(_ label: String, _ yaml: String) throws -> String {
        let path = workspace.root + "/\(label).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
    for stage in TrainConfigBuilder.stages {
        for method in TrainRequest.Method.allCases {
            var request = goldenRequest(stage: stage, method: method)
            request.model = Python.tinyModel
            request.template = "llama3"
            request.overrides = [("bf16", "false")]
            train.append(("\(stage)_\(method.rawValue)", try write("\(stage)_\(method.rawValue)", try builder.render(request).yaml)))
        }
    }
    var knobs = knobsRequest()
    knobs.model = Python.tinyModel
    knobs.template = "llama3"
    knobs.deepspeed = nil  // DeepSpeed needs a torchrun launch (FORCE_TORCHRUN=1), not a parse check
    knobs.overrides = knobs.overrides.filter { $0.key != "my_flag" } + [("bf16", "false")]
    train.append(("all_flags", try write("all_flags", try builder.render(knobs).yaml)))
    // A key LLaMA-Factory does not know must be caught by this check.
    knobs.overrides.append(("not_a_real_key", "1"))
    let unknownKey = try write("unknown_key", try builder.render(knobs).yaml)

    let adapter = workspace.root + "/saves/tiny/lora/sft-run1"
    try FileManager.default.createDirectory(atPath: adapter, withIntermediateDirectories: true)
    let export = try write("export", try builder.renderExport(adapterDir: adapter, model: Python.tinyModel, template: "llama3", exportDir: "merged").yaml)
    let chat = try write("chat", try builder.renderChat(adapterDir: adapter, model: Python.tinyModel, template: "llama3").yaml)

    let script = """
    import sys, yaml
    from llamafactory.hparams import get_train_args, get_infer_args
    for item in sys.argv[1:]:
        kind, path = item.split(":", 1)
        try:
            (get_train_args if kind == "train" else get_infer_args)(yaml.safe_load(open(path)))
            print("OK", path, flush=True)
        except BaseException as e:
            print("FAIL", path, type(e).__name__, str(e).replace("\\n", " ")[:400], flush=True)
    """
    let items = (train.map(\.path) + [unknownKey]).map { "train:" + $0 } + ["infer:" + export, "infer:" + chat]
    let result = try await Python.run(Python.llamaFactoryPython, ["-c", script] + items,
                                      environment: ["DISABLE_VERSION_CHECK": "1", "LLAMAFACTORY_VERBOSITY": "WARN"])
    let lines = result.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("OK ") || $0.hasPrefix("FAIL ") }
    for path in train.map(\.path) + [export, chat] {
        #expect(lines.contains("OK \(path)"), "\(path): \(lines.first { $0.contains(path) } ?? result.output.suffix(2000).description)")
    }
    let failure = lines.first { $0.hasPrefix("FAIL \(unknownKey)") }
    #expect(failure?.contains("Some keys are not used by the HfArgumentParser") == true, "\(failure ?? result.output.suffix(2000).description)")
    #expect(failure?.contains("not_a_real_key") == true)
}
