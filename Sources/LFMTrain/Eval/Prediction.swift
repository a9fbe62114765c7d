import Foundation
import LFMCore

/// One line of LLaMA-Factory's `generated_predictions.jsonl`.
public struct Prediction: Sendable, Equatable {
    /// The whole prompt as the model saw it, chat template and special tokens included.
    public var prompt: String
    public var predict: String
    public var label: String

    public init(prompt: String, predict: String, label: String) {
        self.prompt = prompt
        self.predict = predict
        self.label = label
    }

    /// Reads every line (lines that are not `{"prompt", "predict", "label"}` objects are skipped).
    public static func read(_ path: String) -> [Prediction] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { line in
            guard let object = (try? JSONParser.parse([UInt8](line)))?.objectValue else { return nil }
            return Prediction(prompt: object["prompt"]?.stringValue ?? "", predict: object["predict"]?.stringValue ?? "",
                              label: object["label"]?.stringValue ?? "")
        }
    }

    /// The prompt without the template's special tokens (`<|start_header_id|>`, `<s>`, `[INST]`):
    /// a readable fallback when the question cannot be found in the dataset.
    public var plainPrompt: String {
        var text = prompt
        for pattern in [#"<\|[^|>]*\|>"#, #"</?s>"#, #"\[/?INST\]"#, #"<start_of_turn>|<end_of_turn>"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
