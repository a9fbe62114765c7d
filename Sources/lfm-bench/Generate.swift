import Foundation
import LFMCore

/// Deterministic Alpaca data: the same seed always gives the same bytes, so numbers from
/// different runs and machines describe the same files.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}

enum AlpacaGenerator {
    static let english = """
        the model should answer every question with a short and helpful explanation that covers \
        data training learning rate batch size gradient accumulation tokenizer template prompt \
        response instruction example dataset quality evaluation benchmark inference latency memory \
        throughput context window fine tuning adapter lora quantization checkpoint validation loss \
        write a poem about the sea describe the process of photosynthesis explain why the sky is blue \
        translate the following sentence into french summarize the article in three sentences
        """.split(separator: " ").map(String.init)
    static let chinese = ["数据", "训练", "模型", "学习率", "请", "解释", "为什么", "天空", "是", "蓝色的",
                          "总结", "下面", "这篇", "文章", "翻译", "句子", "写", "一首", "关于", "大海", "的", "诗",
                          "，", "。", "问题", "回答", "例子", "质量", "评估", "推理"]

    static func sentence(_ rng: inout SplitMix64, words: Int, zh: Bool) -> String {
        var parts: [String] = []
        parts.reserveCapacity(words)
        for _ in 0..<words {
            parts.append(zh ? chinese[rng.below(chinese.count)] : english[rng.below(english.count)])
        }
        return parts.joined(separator: zh ? "" : " ")
    }

    /// One record of about 1 KB: an instruction, an input that is often empty, and an output of
    /// a few paragraphs with newlines, quotes, a backslash now and then, and some Chinese.
    static func record(_ rng: inout SplitMix64, index: Int) -> JSONValue {
        let zh = rng.below(5) == 0
        var instruction = sentence(&rng, words: 8 + rng.below(12), zh: zh)
        if rng.below(3) == 0 { instruction += " (#\(index))" }
        let input = rng.below(3) == 0 ? sentence(&rng, words: 5 + rng.below(20), zh: zh) : ""
        var output = ""
        let paragraphs = 2 + rng.below(4)
        for p in 0..<paragraphs {
            if p > 0 { output += "\n\n" }
            output += sentence(&rng, words: 20 + rng.below(30), zh: zh && rng.below(2) == 0)
            switch rng.below(6) {
            case 0: output += " \"quoted text\""
            case 1: output += "\n\t- item \(rng.below(100))"
            case 2: output += " C:\\path\\to\\file"
            case 3: output += " 中文混合 mixed text。"
            default: output += "."
            }
        }
        return .object(JSONObject([
            JSONMember("instruction", .string(instruction)),
            JSONMember("input", .string(input)),
            JSONMember("output", .string(output)),
        ]))
    }

    /// Writes `path` as a JSON array (indent 2, like LLaMA-Factory's demo files) or JSON Lines,
    /// stopping at the first record that reaches `size` bytes.
    static func write(path: String, size: Int, lines: Bool, cjk: Bool = false) throws {
        let temp = path + ".partial"
        guard let file = fopen(temp, "w") else { throw BenchError("cannot write \(temp)") }
        var rng = SplitMix64(state: 20_260_101)
        let pretty = JSONPrinter(indent: 2)
        let compact = JSONPrinter(indent: nil)
        var out: [UInt8] = []
        out.reserveCapacity(2 << 20)
        var written = 0
        var index = 0
        if !lines { out.append(contentsOf: "[\n".utf8) }
        while written + out.count < size {
            let record = cjk ? CJKGenerator.record(&rng, index: index) : record(&rng, index: index)
            if lines {
                compact.write(record, level: 0, into: &out)
                out.append(0x0A)
            } else {
                if index > 0 { out.append(contentsOf: ",\n".utf8) }
                out.append(contentsOf: "  ".utf8)
                pretty.write(record, level: 1, into: &out)
            }
            index += 1
            if out.count >= 1 << 20 {
                written += out.count
                _ = out.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
                out.removeAll(keepingCapacity: true)
            }
        }
        if !lines { out.append(contentsOf: "\n]".utf8) }
        _ = out.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        fclose(file)
        guard rename(temp, path) == 0 else { throw BenchError("cannot rename \(temp)") }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Chinese-heavy Alpaca data, like the bilingual files many LLaMA-Factory users have: about 59% of
/// the file's bytes are Chinese (3-byte UTF-8 characters) and about a fifth of the non-empty
/// strings hold escapes (`\n`, `\t`, `\"`, `\\`). The rest is ASCII: English terms, numbers,
/// punctuation, keys and indentation.
enum CJKGenerator {
    static let chinese = ["数据", "训练", "模型", "学习率", "请", "解释", "为什么", "天空", "是", "蓝色的",
                          "总结", "下面", "这篇", "文章", "翻译", "句子", "写", "一首", "关于", "大海", "的", "诗",
                          "，", "。", "问题", "回答", "例子", "质量", "评估", "推理", "我们", "可以", "使用",
                          "参数", "微调", "梯度", "累积", "显存", "推理速度", "上下文", "窗口", "量化", "检查点",
                          "验证集", "损失", "指令", "输入", "输出", "用户", "助手", "对话", "历史", "系统提示"]
    static let english = ["LoRA", "batch size", "GPU", "Qwen2.5-7B", "learning rate", "token", "API", "JSON",
                          "epoch", "fp16", "DeepSpeed", "v0.9.5", "2048", "3e-4", "8", "Llama-3"]

    /// A sentence of `words` Chinese words with an English term or number now and then.
    static func sentence(_ rng: inout SplitMix64, words: Int) -> String {
        var text = ""
        for _ in 0..<words {
            if rng.below(10) < 3 {
                text += " " + english[rng.below(english.count)] + " "
            } else {
                text += chinese[rng.below(chinese.count)]
            }
        }
        return text
    }

    /// Adds one escape-needing piece to `text`.
    static func escaped(_ rng: inout SplitMix64, _ text: String) -> String {
        switch rng.below(4) {
        case 0: return text + "\n\n" + "第二段：" + text.prefix(12)
        case 1: return text + "\n\t- 要点 \(rng.below(100))"
        case 2: return "“引用”和 \"quoted\"：" + text
        default: return text + " 路径 C:\\data\\train.json"
        }
    }

    /// One record of about 1 KB: instruction, an input that is empty half the time, output.
    static func record(_ rng: inout SplitMix64, index: Int) -> JSONValue {
        var instruction = sentence(&rng, words: 6 + rng.below(14))
        if rng.below(5) == 0 { instruction = escaped(&rng, instruction) }
        var input = ""
        if rng.below(2) == 0 {
            input = sentence(&rng, words: 5 + rng.below(25))
            if rng.below(5) == 0 { input = escaped(&rng, input) }
        }
        var output = ""
        let paragraphs = 1 + rng.below(3)
        for p in 0..<paragraphs {
            if p > 0 { output += "。" }
            output += sentence(&rng, words: 30 + rng.below(60))
        }
        if rng.below(5) == 0 { output = escaped(&rng, output) }
        if rng.below(4) == 0 { output += " (#\(index))" }
        return .object(JSONObject([
            JSONMember("instruction", .string(instruction)),
            JSONMember("input", .string(input)),
            JSONMember("output", .string(output)),
        ]))
    }
}
