import Foundation
import LFMCore

/// BLEU-4 and ROUGE-1/2/L as LLaMA-Factory computes them (0-100, averaged over the samples).
public struct EvalMetrics: Codable, Sendable, Equatable {
    public var bleu4: Double?
    public var rouge1: Double?
    public var rouge2: Double?
    public var rougeL: Double?

    public init(bleu4: Double? = nil, rouge1: Double? = nil, rouge2: Double? = nil, rougeL: Double? = nil) {
        self.bleu4 = bleu4
        self.rouge1 = rouge1
        self.rouge2 = rouge2
        self.rougeL = rougeL
    }

    /// The metrics in report order: (label, json key, value).
    public var rows: [(label: String, key: String, value: Double?)] {
        [("BLEU-4", "bleu_4", bleu4), ("ROUGE-1", "rouge_1", rouge1), ("ROUGE-2", "rouge_2", rouge2), ("ROUGE-L", "rouge_l", rougeL)]
    }

    /// `self - other`, metric by metric (nil where either is missing).
    public func minus(_ other: EvalMetrics) -> EvalMetrics {
        func d(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b else { return nil }
            return (a - b).rounded4
        }
        return EvalMetrics(bleu4: d(bleu4, other.bleu4), rouge1: d(rouge1, other.rouge1),
                           rouge2: d(rouge2, other.rouge2), rougeL: d(rougeL, other.rougeL))
    }

    /// Reads LLaMA-Factory's `predict_results.json` (`predict_bleu-4`, `predict_rouge-l`, ...).
    public static func read(predictResults path: String) throws -> (metrics: EvalMetrics, runtime: Double?) {
        guard let data = FileManager.default.contents(atPath: path) else { throw EvalError.noResults(path) }
        guard let object = (try? JSONParser.parse([UInt8](data)))?.objectValue else { throw EvalError.noResults(path) }
        func number(_ key: String) -> Double? { object[key]?.doubleValue?.rounded4 }
        let metrics = EvalMetrics(bleu4: number("predict_bleu-4"), rouge1: number("predict_rouge-1"),
                                  rouge2: number("predict_rouge-2"), rougeL: number("predict_rouge-l"))
        return (metrics, number("predict_runtime"))
    }

    enum CodingKeys: String, CodingKey {
        case bleu4 = "bleu_4", rouge1 = "rouge_1", rouge2 = "rouge_2", rougeL = "rouge_l"
    }
}

extension Double {
    var rounded4: Double { (self * 10_000).rounded() / 10_000 }
}

/// One model's side of an evaluation.
public struct EvalSide: Codable, Sendable, Equatable {
    public var model: String
    public var adapter: String?
    public var metrics: EvalMetrics
    /// Answers scored (lines of generated_predictions.jsonl).
    public var samples: Int
    public var runtimeSeconds: Double?
    /// The predict YAML: where it was written and its text.
    public var config: String
    public var yaml: String
    public var outputDir: String
    public var predictions: String

    public init(model: String, adapter: String?, metrics: EvalMetrics, samples: Int, runtimeSeconds: Double?,
                config: String, yaml: String, outputDir: String, predictions: String) {
        self.model = model
        self.adapter = adapter
        self.metrics = metrics
        self.samples = samples
        self.runtimeSeconds = runtimeSeconds
        self.config = config
        self.yaml = yaml
        self.outputDir = outputDir
        self.predictions = predictions
    }

    enum CodingKeys: String, CodingKey {
        case model, adapter, metrics, samples, config, yaml, predictions
        case runtimeSeconds = "runtime_s", outputDir = "output_dir"
    }
}

/// The `eval` entry of run.json: the latest `lfm eval` of the run.
public struct EvalRecord: Codable, Sendable, Equatable {
    public var time: String
    public var datasets: [RunRecord.DatasetChecksum]
    public var maxSamples: Int?
    public var usesTrainingData: Bool
    public var adapter: EvalSide
    public var base: EvalSide?
    /// adapter - base.
    public var delta: EvalMetrics?
    public var reportMarkdown: String?
    public var reportHTML: String?

    public init(datasets: [RunRecord.DatasetChecksum], maxSamples: Int?, usesTrainingData: Bool, adapter: EvalSide, base: EvalSide?) {
        self.time = RunRecord.timestamp(Date())
        self.datasets = datasets
        self.maxSamples = maxSamples
        self.usesTrainingData = usesTrainingData
        self.adapter = adapter
        self.base = base
        self.delta = base.map { adapter.metrics.minus($0.metrics) }
    }

    enum CodingKeys: String, CodingKey {
        case time, datasets, adapter, base, delta
        case maxSamples = "max_samples", usesTrainingData = "uses_training_data"
        case reportMarkdown = "report_markdown", reportHTML = "report_html"
    }

    /// `ROUGE-L 12.34 (+1.20)  BLEU-4 5.67 (-0.10)`: the adapter's scores and the change from base.
    public var summary: String {
        func part(_ label: String, _ value: Double?, _ delta: Double?) -> String? {
            guard let value else { return nil }
            return "\(label) \(String(format: "%.2f", value))" + (delta.map { " (\(Self.signed($0)) vs base)" } ?? "")
        }
        return [part("ROUGE-L", adapter.metrics.rougeL, delta?.rougeL), part("BLEU-4", adapter.metrics.bleu4, delta?.bleu4)]
            .compactMap { $0 }.joined(separator: "  ")
    }

    public static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + String(format: "%.2f", value)
    }
}
