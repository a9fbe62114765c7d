import Foundation
import LFMCore

/// Checks a local model directory against the config before launch: the files transformers
/// needs, the chat template's stop words in the tokenizer, and `cutoff_len` against the model's
/// context length.
public enum ModelCheck {
    static let tokenizerFiles = ["tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt", "spiece.model", "sentencepiece.bpe.model"]

    /// - Parameters:
    ///   - templateTokens: chat template → the stop words it writes into every example.
    /// - Returns: warnings (cutoff_len above the context length, a tokenizer lfm cannot read).
    /// - Throws: `ModelCheckError` for missing files and for template tokens the tokenizer lacks.
    public static func check(modelDir: String, template: String?, cutoffLen: Int?, resizeVocab: Bool,
                             templateTokens: [String: [String]]) throws -> [String] {
        let fm = FileManager.default
        let files = Set((try? fm.contentsOfDirectory(atPath: modelDir)) ?? [])
        guard files.contains("config.json") else {
            if files.contains("adapter_config.json") { throw ModelCheckError.adapterNotModel(modelDir) }
            throw ModelCheckError.missingConfig(modelDir)
        }
        guard files.contains(where: { tokenizerFiles.contains($0) || $0.hasSuffix(".tiktoken") }) else {
            throw ModelCheckError.missingTokenizer(modelDir)
        }
        var warnings: [String] = []
        if let data = fm.contents(atPath: modelDir + "/config.json"), let config = try? JSONParser.parse([UInt8](data)),
           let cutoffLen, let limit = contextLength(config), cutoffLen > limit {
            warnings.append("cutoff_len \(cutoffLen) is above the model's max_position_embeddings \(limit) (\(modelDir)/config.json): longer examples go past what the model was trained on; pass --cutoff-len \(limit)")
        }
        guard let template, let needed = templateTokens[template], !needed.isEmpty, !resizeVocab else { return warnings }
        guard let vocabulary = vocabulary(modelDir) else {
            warnings.append("cannot read the tokenizer in \(modelDir) (no tokenizer.json): the \(template) template's \(needed.joined(separator: " ")) are not checked")
            return warnings
        }
        let missing = needed.filter { !vocabulary.contains($0) }
        if !missing.isEmpty { throw ModelCheckError.templateTokens(dir: modelDir, template: template, missing: missing) }
        return warnings
    }

    /// `max_position_embeddings` (or its older names), also inside `text_config`.
    static func contextLength(_ config: JSONValue) -> Int? {
        for object in [config, config["text_config"]].compactMap({ $0 }) {
            for key in ["max_position_embeddings", "n_positions", "max_seq_len", "seq_length"] {
                if let n = object[key]?.intValue, n > 0 { return n }
            }
        }
        return nil
    }

    /// Every token string the tokenizer knows: tokenizer.json's vocab and added tokens, and
    /// tokenizer_config.json's added_tokens_decoder. nil without tokenizer.json.
    static func vocabulary(_ dir: String) -> Set<String>? {
        guard let data = FileManager.default.contents(atPath: dir + "/tokenizer.json"),
              let json = try? JSONParser.parse([UInt8](data)) else { return nil }
        var tokens = Set<String>()
        if let vocab = json["model"]?["vocab"] {
            if let object = vocab.objectValue {
                for member in object { tokens.insert(member.key) }
            } else if let pieces = vocab.arrayValue {  // Unigram: [[piece, score], ...]
                for piece in pieces { if let text = piece.arrayValue?.first?.stringValue { tokens.insert(text) } }
            }
        }
        for added in json["added_tokens"]?.arrayValue ?? [] {
            if let content = added["content"]?.stringValue { tokens.insert(content) }
        }
        if let data = FileManager.default.contents(atPath: dir + "/tokenizer_config.json"),
           let config = try? JSONParser.parse([UInt8](data)), let decoder = config["added_tokens_decoder"]?.objectValue {
            for member in decoder { if let content = member.value["content"]?.stringValue { tokens.insert(content) } }
        }
        return tokens
    }
}

public enum ModelCheckError: Error, Sendable, Equatable, CustomStringConvertible {
    case missingConfig(String)
    case adapterNotModel(String)
    case missingTokenizer(String)
    case templateTokens(dir: String, template: String, missing: [String])

    public var description: String {
        switch self {
        case .missingConfig(let dir):
            return "\(dir) has no config.json, so transformers cannot load it as a model\nhint: point --model at the folder with config.json and the weights (a Hugging Face snapshot)"
        case .adapterNotModel(let dir):
            return "\(dir) is a LoRA adapter (adapter_config.json), not a model\nhint: pass its base model with --model (adapter_config.json names it: base_model_name_or_path)"
        case .missingTokenizer(let dir):
            return "\(dir) has no tokenizer files (tokenizer.json, tokenizer.model, vocab.json, ...)\nhint: copy them from the base model's repository into \(dir)"
        case .templateTokens(let dir, let template, let missing):
            let list = missing.joined(separator: ", ")
            return "the \(template) template writes \(list) into every example, but the tokenizer in \(dir) has no such token\(missing.count == 1 ? "" : "s"); LLaMA-Factory would add \(missing.count == 1 ? "it" : "them") and training fails in the embedding lookup\nhint: use the model family's own template (--template, see lfm models), or --set resize_vocab=true to add and train \(missing.count == 1 ? "the token" : "the tokens")"
        }
    }
}
