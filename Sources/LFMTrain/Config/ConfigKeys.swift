import YAML

/// What lfm knows about LLaMA-Factory config keys: which `### group` they belong to (as in the
/// official examples), which are strings whatever they look like, and which are floats.
public enum ConfigKeys {
    /// Group headers in output order. Keys not listed go to `other`.
    public static let groupOrder = ["model", "method", "dataset", "output", "ray", "train", "eval", "export", "other"]

    static let groups: [String: [String]] = [
        "model": [
            "model_name_or_path", "adapter_name_or_path", "adapter_folder", "cache_dir", "model_revision",
            "hf_hub_token", "trust_remote_code", "use_fast_tokenizer", "resize_vocab", "split_special_tokens",
            "new_special_tokens", "low_cpu_mem_usage", "rope_scaling", "flash_attn", "shift_attn",
            "mixture_of_depths", "use_unsloth", "enable_liger_kernel", "moe_aux_loss_coef",
            "disable_gradient_checkpointing", "upcast_layernorm", "upcast_lmhead_output", "infer_backend",
            "infer_dtype", "quantization_method", "quantization_bit", "quantization_type", "double_quantization",
            "quantization_device_map", "print_param_status", "image_max_pixels", "video_max_pixels",
        ],
        "method": [
            "stage", "do_train", "finetuning_type", "lora_rank", "lora_alpha", "lora_dropout", "lora_target",
            "additional_target", "loraplus_lr_ratio", "use_rslora", "use_dora", "pissa_init", "create_new_adapter",
            "freeze_trainable_layers", "freeze_trainable_modules", "freeze_extra_modules",
            "pref_beta", "pref_ftx", "pref_loss", "dpo_label_smoothing", "kto_chosen_weight",
            "kto_rejected_weight", "simpo_gamma", "ref_model", "reward_model", "deepspeed",
            "use_galore", "use_apollo", "use_badam",
        ],
        "dataset": [
            "dataset", "dataset_dir", "template", "cutoff_len", "max_samples", "overwrite_cache",
            "preprocessing_num_workers", "dataloader_num_workers", "tokenized_path", "media_dir",
            "mix_strategy", "interleave_probs", "streaming", "buffer_size", "packing", "neat_packing",
            "train_on_prompt", "mask_history", "enable_thinking", "tool_format", "preprocessing_batch_size",
        ],
        "output": [
            "output_dir", "logging_steps", "logging_strategy", "save_steps", "save_strategy", "save_total_limit",
            "plot_loss", "overwrite_output_dir", "save_only_model", "report_to", "run_name", "logging_dir",
            "load_best_model_at_end", "metric_for_best_model",
        ],
        "ray": ["ray_num_workers", "ray_init_kwargs", "ray_run_name", "ray_storage_path", "resources_per_worker",
                "placement_strategy", "master_addr", "master_port"],
        "train": [
            "per_device_train_batch_size", "gradient_accumulation_steps", "learning_rate", "num_train_epochs",
            "max_steps", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_ratio", "warmup_steps",
            "weight_decay", "max_grad_norm", "optim", "seed", "bf16", "fp16", "pure_bf16", "tf32",
            "gradient_checkpointing", "ddp_timeout", "resume_from_checkpoint",
        ],
        "eval": [
            "do_eval", "eval_dataset", "val_size", "per_device_eval_batch_size", "eval_strategy", "eval_steps",
            "compute_accuracy", "predict_with_generate", "do_predict",
            "max_new_tokens", "do_sample", "temperature", "top_p", "top_k", "num_beams", "repetition_penalty",
        ],
        "export": [
            "export_dir", "export_size", "export_device", "export_legacy_format", "export_quantization_bit",
            "export_quantization_dataset", "export_quantization_nsamples", "export_quantization_maxlen",
            "export_hub_model_id",
        ],
    ]

    static let groupOfKey: [String: String] = {
        var map: [String: String] = [:]
        for (group, keys) in groups { for key in keys { map[key] = group } }
        return map
    }()

    /// The `### group` a key is written under.
    public static func group(of key: String) -> String { groupOfKey[key] ?? "other" }

    /// Keys whose value is always a string in LLaMA-Factory / transformers, so a `--set` value
    /// for them is kept as the text the user typed (`save_strategy=no` stays the string "no").
    public static let stringKeys: Set<String> = [
        "model_name_or_path", "adapter_name_or_path", "cache_dir", "model_revision", "hf_hub_token",
        "template", "dataset", "eval_dataset", "dataset_dir", "media_dir", "tokenized_path", "mix_strategy",
        "output_dir", "logging_dir", "run_name", "report_to", "save_strategy", "eval_strategy",
        "logging_strategy", "lr_scheduler_type", "optim", "stage", "finetuning_type", "lora_target",
        "additional_target", "pref_loss", "quantization_method", "quantization_type", "infer_backend",
        "infer_dtype", "export_dir", "export_device", "export_hub_model_id", "deepspeed", "flash_attn",
        "rope_scaling", "resume_from_checkpoint", "tool_format", "ray_run_name", "ray_storage_path",
        "placement_strategy", "metric_for_best_model", "freeze_trainable_modules", "freeze_extra_modules",
        "hub_model_id", "ref_model", "reward_model", "interleave_probs", "master_addr",
    ]

    /// Keys that are floats: an integer value (`--set learning_rate=1`) is written as `1.0`.
    public static let floatKeys: Set<String> = [
        "learning_rate", "num_train_epochs", "warmup_ratio", "weight_decay", "max_grad_norm", "val_size",
        "pref_beta", "pref_ftx", "lora_dropout", "simpo_gamma", "kto_chosen_weight", "kto_rejected_weight",
        "dpo_label_smoothing", "loraplus_lr_ratio", "moe_aux_loss_coef",
    ]

    /// Splits a flat config into the groups LLaMA-Factory's examples use, in `groupOrder`.
    /// Empty groups are left out. For export/chat configs `template` sits with the model.
    public static func grouped(_ mapping: YAMLMapping, templateWithModel: Bool = false) -> [(comment: String?, mapping: YAMLMapping)] {
        var buckets: [String: YAMLMapping] = [:]
        for (key, value) in mapping {
            let group = (templateWithModel && key == "template") ? "model" : group(of: key)
            buckets[group, default: YAMLMapping()][key] = value
        }
        return groupOrder.compactMap { name in
            guard let bucket = buckets[name], !bucket.isEmpty else { return nil }
            return (comment: name, mapping: bucket)
        }
    }

    /// The YAML node for a `--set key=value` value.
    ///
    /// * String-typed keys (``stringKeys``): the text as typed, quoted on output when YAML would
    ///   misread it. Surrounding quotes are removed (`--set template='"qwen"'`); `null` and `~`
    ///   still mean null (`--set resume_from_checkpoint=null`).
    /// * Otherwise the text is read the way OmegaConf reads a dot-list override: quoted text is a
    ///   string; `null`/`~` null; YAML 1.1 booleans (`true`, `false`, `yes`, `no`, `on`, `off`);
    ///   integers; floats including `1e-4` and `1e3` (OmegaConf accepts a missing dot or exponent
    ///   sign; lfm writes them back as `1.0e-4` so PyYAML agrees); `[a, b]` and `{k: v}` flow
    ///   collections; anything else a string.
    /// * Float keys (``floatKeys``) turn integers into floats.
    public static func overrideValue(key: String, text: String) throws -> YAMLNode {
        let leaf = key.split(separator: ".").last.map(String.init) ?? key
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if stringKeys.contains(leaf) {
            if trimmed == "null" || trimmed == "~" { return .null }  // resume_from_checkpoint=null
            return .string(unquoted(trimmed) ?? trimmed)
        }
        if let inner = unquoted(trimmed) { return .string(inner) }
        if let number = omegaConfFloat(trimmed) {
            return .double(number)
        }
        let node: YAMLNode
        do {
            node = try YAMLParser.parse(trimmed)
        } catch {
            return .string(trimmed)
        }
        switch node {
        case .scalar(let scalar):
            switch scalar.kind {
            case .null: return .null
            case .bool: return .bool(scalar.boolValue ?? false)
            case .int:
                let value = scalar.intValue ?? 0
                return floatKeys.contains(leaf) ? .double(Double(value)) : .int(value)
            case .float:
                return .double(scalar.doubleValue ?? 0)
            default:
                return .string(trimmed)
            }
        case .sequence, .mapping:
            return node
        }
    }

    /// `'x'` or `"x"` → `x`.
    static func unquoted(_ text: String) -> String? {
        guard text.count >= 2, let first = text.first, first == text.last, first == "'" || first == "\"" else { return nil }
        return String(text.dropFirst().dropLast())
    }

    /// OmegaConf's float grammar for numbers PyYAML reads as strings: `1e-4`, `1e3`, `1.5e3`,
    /// `-2E+5`. Returns nil for plain integers and for anything PyYAML already reads as a float.
    static func omegaConfFloat(_ text: String) -> Double? {
        let chars = Array(text)
        guard let e = chars.firstIndex(where: { $0 == "e" || $0 == "E" }) else { return nil }
        var mantissa = chars[..<e]
        var exponent = chars[(e + 1)...]
        if let sign = mantissa.first, sign == "+" || sign == "-" { mantissa = mantissa.dropFirst() }
        if let sign = exponent.first, sign == "+" || sign == "-" { exponent = exponent.dropFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard !mantissa.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }),
              parts.contains(where: { !$0.isEmpty }),
              !exponent.isEmpty, exponent.allSatisfy(\.isNumber)
        else { return nil }
        return Double(text)
    }
}
