import Foundation
import LFMCore
import LFMTools

/// Finds the question of a prediction in the evaluated datasets, by its reference answer
/// (LLaMA-Factory's generated_predictions.jsonl only has the templated prompt).
public struct EvalQuestions: Sendable {
    private var byAnswer: [String: String] = [:]

    public init(datasets: [String], workspace: Workspace) {
        for name in datasets {
            guard let input = try? DatasetInput.registered(name, in: workspace) else { continue }
            let codec = RecordCodec(spec: input.spec)
            try? input.forEach { _, value in
                guard let conversation = try? codec.decode(value), let answer = conversation.responses.first,
                      let question = conversation.promptTurns.last(where: { $0.role == .user })?.content else { return }
                let key = Self.key(answer)
                if byAnswer[key] == nil { byAnswer[key] = question }
            }
        }
    }

    static func key(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    public func question(for prediction: Prediction) -> String? {
        byAnswer[Self.key(prediction.label)]
    }
}
