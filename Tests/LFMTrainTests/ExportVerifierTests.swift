import Foundation
import LFMCore
import Testing
@testable import LFMTrain

/// `lfm export`'s check of a merged model, on small hand-made safetensors files.
@Suite struct ExportVerifierTests {
    /// Writes a safetensors file: F32 or BF16 tensors given as row-major doubles.
    static func writeSafetensors(_ path: String, _ tensors: [(name: String, shape: [Int], values: [Double], dtype: String)]) throws {
        var header: [String] = []
        var data = Data()
        for t in tensors {
            let start = data.count
            for v in t.values {
                let bits = Float(v).bitPattern
                if t.dtype == "BF16" {
                    withUnsafeBytes(of: UInt16(truncatingIfNeeded: bits >> 16).littleEndian) { data.append(contentsOf: $0) }
                } else {
                    withUnsafeBytes(of: bits.littleEndian) { data.append(contentsOf: $0) }
                }
            }
            header.append("\"\(t.name)\": {\"dtype\": \"\(t.dtype)\", \"shape\": \(t.shape), \"data_offsets\": [\(start), \(data.count)]}")
        }
        let json = Data(("{\"__metadata__\": {\"format\": \"pt\"}, " + header.joined(separator: ", ") + "}").utf8)
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(data)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try file.write(to: URL(fileURLWithPath: path))
    }

    // W: 4x3, A: 1x3 (rank 1), B: 4x1, lora_alpha 2, r 1 -> scale 2.
    static let w: [Double] = [0.1, -0.2, 0.3, 0.05, 0.0, -0.1, 0.2, 0.2, 0.2, -0.3, 0.1, 0.0]
    static let a: [Double] = [0.5, -0.25, 1.0]
    static let b: [Double] = [0.1, 0.0, -0.2, 0.05]
    static var merged: [Double] {
        var out: [Double] = []
        for i in 0..<4 {
            for j in 0..<3 {
                let delta: Double = 2 * b[i] * a[j]
                out.append(w[i * 3 + j] + delta)
            }
        }
        return out
    }
    static let name = "model.layers.0.self_attn.q_proj.weight"

    /// base/, adapter/ and export/ under a scratch dir; `export` decides the exported q_proj.
    static func verdict(export: [Double], dtype: String = "F32", chatTemplate: String? = nil, modelfile: String? = nil) throws -> ExportVerdict {
        let (s, verifier) = try fixture(export: export, dtype: dtype, chatTemplate: chatTemplate, modelfile: modelfile)
        return withExtendedLifetime(s) { verifier.verify() }
    }

    static func fixture(export: [Double], dtype: String = "F32", chatTemplate: String? = nil, modelfile: String? = nil) throws -> (TempDir, ExportVerifier) {
        let s = try TempDir()
        try writeSafetensors(s.path("base/model.safetensors"), [(name, [4, 3], w, "F32"), ("lm_head.weight", [1, 3], [1, 2, 3], "F32")])
        try writeSafetensors(s.path("adapter/adapter_model.safetensors"), [
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", [1, 3], a, "F32"),
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", [4, 1], b, "F32"),
        ])
        try s.write("adapter/adapter_config.json", #"{"base_model_name_or_path": "\#(s.path("base"))", "r": 1, "lora_alpha": 2}"#)
        try writeSafetensors(s.path("export/model.safetensors"), [(name, [4, 3], export, dtype), ("lm_head.weight", [1, 3], [1, 2, 3], dtype)])
        if let chatTemplate { try s.write("export/chat_template.jinja", chatTemplate) }
        if let modelfile { try s.write("export/Modelfile", modelfile) }
        return (s, ExportVerifier(exportDir: s.path("export"), adapterDir: s.path("adapter"), baseModel: s.path("base"),
                                  template: "llama3", environment: [:]))
    }

    static let modelfile = "FROM .\n\nTEMPLATE \"\"\"<|begin_of_text|>{{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n{{ .System }}<|eot_id|>{{ end }}\"\"\"\n"
    static let llama3Jinja = "{{ '<|begin_of_text|>' }}{% if system %}{{ '<|start_header_id|>system<|end_header_id|>\\n\\n' + system + '<|eot_id|>' }}{% endif %}"

    @Test func aMergedExportPasses() throws {
        let verdict = try Self.verdict(export: Self.merged, chatTemplate: Self.llama3Jinja, modelfile: Self.modelfile)
        #expect(verdict.merged == true, "\(verdict.checks)")
        #expect(verdict.ok)
        #expect(verdict.checks.first { $0.name == "chat template" }?.ok == true)
        #expect(verdict.checks.first { $0.name == "adapter base model" }?.ok == true)
        #expect(verdict.ollamaModelfile != nil)
    }

    @Test func theBaseModelsWeightsAreNotMerged() throws {
        let verdict = try Self.verdict(export: Self.w, chatTemplate: Self.llama3Jinja)
        #expect(verdict.merged == false)
        #expect(!verdict.ok)
        #expect(verdict.checks.first { $0.name == "LoRA merged" }?.detail.contains("NOT merged") == true)
    }

    @Test func bf16RoundingOfAMergedExportStillCountsAsMerged() throws {
        #expect(try Self.verdict(export: Self.merged, dtype: "BF16").merged == true)
        // The base weights rounded to bf16 are not base + LoRA.
        #expect(try Self.verdict(export: Self.w, dtype: "BF16").merged == false)
    }

    @Test func chatTemplateMustBeThereAndMatchTheRunsTemplate() throws {
        #expect(try Self.verdict(export: Self.merged, modelfile: Self.modelfile).checks.first { $0.name == "chat template" }?.ok == false)
        let chatml = "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>' }}{% endfor %}"
        let check = try Self.verdict(export: Self.merged, chatTemplate: chatml, modelfile: Self.modelfile).checks.first { $0.name == "chat template" }
        #expect(check?.ok == false && check?.detail.contains("does not match template llama3") == true)
        // A model's own template builds the same text from variables: its special tokens are what can be compared.
        let meta = "{% for m in messages %}{{ '<|begin_of_text|>' if loop.first }}{{ '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] | trim + '<|eot_id|>' }}{% endfor %}"
        let own = try Self.verdict(export: Self.merged, chatTemplate: meta, modelfile: Self.modelfile).checks.first { $0.name == "chat template" }
        #expect(own?.ok == true && own?.detail.contains("<|start_header_id|>") == true, "\(String(describing: own))")
        #expect(ExportVerifier.specialTokens(in: ["<|im_start|>user", "[INST] x </s>", "<start_of_turn>"])
            == ["<|im_start|>", "[INST]", "</s>", "<start_of_turn>"])
        #expect(ExportVerifier.templateLiterals(modelfile: Self.modelfile)
            == ["<|begin_of_text|>", "<|eot_id|>", "<|start_header_id|>system<|end_header_id|>"])
    }

    @Test func adapterForAnotherBaseModelIsReported() throws {
        let (s, _) = try Self.fixture(export: Self.merged)
        let verifier = ExportVerifier(exportDir: s.path("export"), adapterDir: s.path("adapter"), baseModel: "org/other",
                                      template: "llama3", environment: ["HOME": s.path("home")])
        let verdict = withExtendedLifetime(s) { verifier.verify() }
        #expect(verdict.checks.first { $0.name == "adapter base model" }?.ok == false)
        // org/other is not in the (empty) Hugging Face cache: the merge cannot be compared, which is not a failure.
        #expect(verdict.merged == nil)
        #expect(verdict.checks.first { $0.name == "LoRA merged" }?.ok == nil)
    }

    @Test func readsHeadersAndFindsHubSnapshots() throws {
        let s = try TempDir()
        try Self.writeSafetensors(s.path("x/model-00001-of-00002.safetensors"), [("a", [2], [1, 2], "F32")])
        try Self.writeSafetensors(s.path("x/model-00002-of-00002.safetensors"), [("b", [1, 2], [3, -4], "BF16")])
        let index = try SafetensorsIndex.directory(s.path("x"))
        #expect(index.tensors.keys.sorted() == ["a", "b"])
        #expect(try SafetensorsIndex.values(index.tensors["b"]!) == [3, -4])
        #expect(try SafetensorsIndex.values(index.tensors["a"]!, offset: 1, count: 1) == [2])
        try s.write("bad.safetensors", "not a header")
        #expect(throws: SafetensorsIndex.Failure.self) { try SafetensorsIndex.file(s.path("bad.safetensors")) }
        try s.write("hf/hub/models--org--m/refs/main", "abc\n")
        _ = try FileManager.default.createDirectory(atPath: s.path("hf/hub/models--org--m/snapshots/abc"), withIntermediateDirectories: true)
        #expect(ExportVerifier.localModelDirectory("org/m", environment: ["HF_HOME": s.path("hf")]) == s.path("hf/hub/models--org--m/snapshots/abc"))
        #expect(ExportVerifier.localModelDirectory("org/none", environment: ["HF_HOME": s.path("hf")]) == nil)
    }
}
