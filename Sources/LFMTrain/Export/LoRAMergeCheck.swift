import Foundation
import LFMCore

/// Did the LoRA weights really go into the exported model? For a sample of adapted modules it
/// compares rows of the exported weight W' with the base weight W and with W + scale·B·A
/// computed from the adapter: a merged export is close to the latter, an unmerged one equals W.
public struct LoRAMergeCheck: Sendable {
    public enum Outcome: Sendable, Equatable {
        case merged, notMerged, undecided
    }

    public struct Sample: Sendable, Equatable {
        public var tensor: String
        public var outcome: Outcome
        public var detail: String
    }

    public var export: SafetensorsIndex
    public var base: SafetensorsIndex
    public var adapter: SafetensorsIndex
    public var scale: Double
    public var modules = 4
    public var rowsPerModule = 16

    public init(export: SafetensorsIndex, base: SafetensorsIndex, adapter: SafetensorsIndex, scale: Double) {
        self.export = export
        self.base = base
        self.adapter = adapter
        self.scale = scale
    }

    /// `lora_alpha / r` (`/ sqrt(r)` with `use_rslora`) from adapter_config.json.
    public static func scale(adapterConfig: JSONObject) -> Double? {
        guard let r = adapterConfig["r"]?.doubleValue, r > 0, let alpha = adapterConfig["lora_alpha"]?.doubleValue else { return nil }
        return adapterConfig["use_rslora"]?.boolValue == true ? alpha / r.squareRoot() : alpha / r
    }

    /// `base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight` → `model.layers.0.self_attn.q_proj.weight`.
    static func baseName(ofLoRA name: String) -> String? {
        guard name.hasSuffix(".lora_A.weight") else { return nil }
        var stem = String(name.dropLast(".lora_A.weight".count))
        if stem.hasPrefix("base_model.model.") { stem = String(stem.dropFirst("base_model.model.".count)) }
        return stem + ".weight"
    }

    public func run() throws -> [Sample] {
        let loras = adapter.tensors.keys.filter { $0.hasSuffix(".lora_A.weight") }.sorted()
        let picked: [String]
        if loras.count <= modules {
            picked = loras
        } else {
            picked = (0..<modules).map { loras[$0 * (loras.count - 1) / max(modules - 1, 1)] }
        }
        return try picked.compactMap { name in try sample(lora: name) }
    }

    func sample(lora name: String) throws -> Sample? {
        guard let weightName = Self.baseName(ofLoRA: name) else { return nil }
        let bName = String(name.dropLast(".lora_A.weight".count)) + ".lora_B.weight"
        guard let aT = adapter.tensors[name], let bT = adapter.tensors[bName], let wT = base.tensors[weightName] else {
            return Sample(tensor: weightName, outcome: .undecided, detail: "no base tensor or lora_B for \(name)")
        }
        guard let eT = export.tensors[weightName] else {
            return Sample(tensor: weightName, outcome: .notMerged, detail: "the export has no \(weightName)")
        }
        guard wT.shape.count == 2, eT.shape == wT.shape, aT.shape.count == 2, bT.shape.count == 2,
              aT.shape[1] == wT.shape[1], bT.shape[0] == wT.shape[0], aT.shape[0] == bT.shape[1] else {
            return Sample(tensor: weightName, outcome: .undecided, detail: "shapes do not line up (\(wT.shape), A \(aT.shape), B \(bT.shape))")
        }
        guard let a = try SafetensorsIndex.values(aT), let b = try SafetensorsIndex.values(bT) else {
            return Sample(tensor: weightName, outcome: .undecided, detail: "adapter dtype \(aT.dtype) not readable")
        }
        let rows = wT.shape[0], cols = wT.shape[1], rank = aT.shape[0]
        let step = max(rows / rowsPerModule, 1)
        var dBase = 0.0, dMerged = 0.0, dDelta = 0.0
        var sameBytes = eT.dtype == wT.dtype
        for row in stride(from: 0, to: rows, by: step).prefix(rowsPerModule) {
            let off = row * cols
            if sameBytes, try SafetensorsIndex.bytes(eT, offset: off, count: cols) != SafetensorsIndex.bytes(wT, offset: off, count: cols) {
                sameBytes = false
            }
            guard let w = try SafetensorsIndex.values(wT, offset: off, count: cols),
                  let e = try SafetensorsIndex.values(eT, offset: off, count: cols) else {
                return Sample(tensor: weightName, outcome: .undecided, detail: "dtype \(wT.dtype)/\(eT.dtype) not readable")
            }
            for j in 0..<cols {
                var delta = 0.0
                for k in 0..<rank { delta += b[row * rank + k] * a[k * cols + j] }
                delta *= scale
                dDelta += delta * delta
                dBase += (e[j] - w[j]) * (e[j] - w[j])
                dMerged += (e[j] - w[j] - delta) * (e[j] - w[j] - delta)
            }
        }
        let numbers = String(format: "|W'-W| %.3g, |W'-(W+BA)| %.3g, |BA| %.3g", dBase.squareRoot(), dMerged.squareRoot(), dDelta.squareRoot())
        if dDelta == 0 { return Sample(tensor: weightName, outcome: .undecided, detail: "the adapter does not change it (B = 0); " + numbers) }
        if sameBytes || dBase == 0 { return Sample(tensor: weightName, outcome: .notMerged, detail: "identical to the base model's; " + numbers) }
        if dMerged < 0.25 * dBase { return Sample(tensor: weightName, outcome: .merged, detail: numbers) }
        if dDelta < dMerged { return Sample(tensor: weightName, outcome: .undecided, detail: "the LoRA change is below the export's rounding; " + numbers) }
        return Sample(tensor: weightName, outcome: .notMerged, detail: "matches neither base+LoRA nor the base; " + numbers)
    }

    /// merged if any sample is merged and none is not; not merged if any is not.
    public static func overall(_ samples: [Sample]) -> Outcome {
        if samples.contains(where: { $0.outcome == .notMerged }) { return .notMerged }
        if samples.contains(where: { $0.outcome == .merged }) { return .merged }
        return .undecided
    }
}
