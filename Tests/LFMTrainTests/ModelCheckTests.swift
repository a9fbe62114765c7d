import Foundation
import Testing
@testable import LFMTrain

/// A local model directory checked against the template and cutoff_len before launch.
@Suite struct ModelCheckTests {
    /// A Llama-3-like tokenizer: `<|eot_id|>` is an added token, `<|im_end|>` is not there.
    static func model(_ s: TempDir, config: Bool = true, tokenizer: Bool = true) throws -> String {
        if config { try s.write("m/config.json", #"{"model_type": "llama", "max_position_embeddings": 2048}"#) }
        if tokenizer {
            try s.write("m/tokenizer.json", #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1}}, "added_tokens": [{"id": 2, "content": "<|eot_id|>"}]}"#)
        }
        try s.write("m/model.safetensors", "w")
        return s.path("m")
    }

    func check(_ dir: String, template: String? = "llama3", cutoff: Int? = 1024, resize: Bool = false) throws -> [String] {
        try ModelCheck.check(modelDir: dir, template: template, cutoffLen: cutoff, resizeVocab: resize, templateTokens: TemplateTokens.bundled)
    }

    @Test func matchingTemplatePasses() throws {
        let s = try TempDir()
        #expect(try check(try Self.model(s)).isEmpty)
        #expect(TemplateTokens.bundled["llama3"] == ["<|eot_id|>"])
        #expect(TemplateTokens.bundled["qwen"] == ["<|im_end|>"])
    }

    @Test func templateTokensMissingFromTheTokenizerAreRefusedWithBothFixes() throws {
        let s = try TempDir()
        let dir = try Self.model(s)
        #expect(throws: ModelCheckError.templateTokens(dir: dir, template: "qwen", missing: ["<|im_end|>"])) { try check(dir, template: "qwen") }
        do { _ = try check(dir, template: "qwen") } catch {
            #expect("\(error)".contains("--template"))
            #expect("\(error)".contains("--set resize_vocab=true"))
        }
        #expect(try check(dir, template: "qwen", resize: true).isEmpty)
    }

    @Test func missingFilesAreClearErrors() throws {
        let s = try TempDir()
        #expect(throws: ModelCheckError.missingConfig(s.path("m"))) { try check(try Self.model(s, config: false)) }
        let t = try TempDir()
        #expect(throws: ModelCheckError.missingTokenizer(t.path("m"))) { try check(try Self.model(t, tokenizer: false)) }
        let a = try TempDir()
        try a.write("adapter/adapter_config.json", "{}")
        #expect(throws: ModelCheckError.adapterNotModel(a.path("adapter"))) { try check(a.path("adapter")) }
    }

    @Test func cutoffAboveTheContextLengthWarns() throws {
        let s = try TempDir()
        let warnings = try check(try Self.model(s), cutoff: 4096)
        #expect(warnings.count == 1)
        #expect(warnings[0].contains("cutoff_len 4096 is above the model's max_position_embeddings 2048"), "\(warnings)")
    }
}
