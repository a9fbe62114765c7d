import Foundation
import LFMSystem
import Testing
import YAML
@_exported import TestSupport
@testable import LFMTrain

@available(*, deprecated, renamed: "TempDir")
typealias TrainScratch = TempDir

/// Fakes for launch tests, in a test's scratch folder.
extension TempDir {
    /// A FAKE Python environment (venv layout, or conda layout with `conda-meta/`) holding a FAKE
    /// `llamafactory-cli`. Fakes because CI has no GPU, and these tests must run in seconds: the
    /// real LLaMA-Factory is exercised by Tests/Conformance/lfm_train_e2e.sh instead.
    @discardableResult
    func fakePrefix(_ name: String, conda: Bool = false, withCLI: Bool = true) throws -> String {
        let prefix = path(name)
        try write(name + "/bin/python", "#!/bin/sh\nexit 0\n", executable: true)
        if conda {
            try FileManager.default.createDirectory(atPath: prefix + "/conda-meta", withIntermediateDirectories: true)
        } else {
            try write(name + "/pyvenv.cfg", "home = /usr/bin\n")
        }
        if withCLI { try write(name + "/bin/llamafactory-cli", Self.fakeCLI, executable: true) }
        return prefix
    }

    /// The FAKE llamafactory-cli: prints on both streams (tqdm-style `\r` lines on stderr), writes
    /// trainer_log.jsonl one step at a time (FAKE_STEPS, FAKE_SLEEP), an eval line at step 2, the
    /// final summary line, an adapter file, and exits FAKE_EXIT. Exits 130 on SIGINT. With
    /// FAKE_GATE it waits for that file to exist before the first step (a test decides when).
    static let fakeCLI = #"""
        #!/bin/bash
        trap 'echo "fake: interrupted" >&2; exit 130' INT
        cmd=$1; cfg=$2; shift 2
        out=$(sed -n 's/^output_dir: *//p' "$cfg" | head -n 1)
        steps=${FAKE_STEPS:-4}
        mkdir -p "$out"
        echo "fake-start $cmd $cfg $*"
        echo "env PATH0=${PATH%%:*} CONDA_PREFIX=$CONDA_PREFIX VIRTUAL_ENV=$VIRTUAL_ENV PYTHONUNBUFFERED=$PYTHONUNBUFFERED PYTHONHOME=${PYTHONHOME-unset} CUDA=$CUDA_VISIBLE_DEVICES"
        echo "cwd $(pwd)" >&2
        if [ -n "$FAKE_GATE" ]; then while [ ! -e "$FAKE_GATE" ]; do sleep 0.05; done; fi
        for i in $(seq 1 "$steps"); do
          printf ' %d/%d\r' "$i" "$steps" >&2
          printf '{"current_steps": %d, "total_steps": %d, "loss": %d.5, "lr": 0.0001, "epoch": 0.1, "percentage": %d.0, "elapsed_time": "0:00:01", "remaining_time": "0:00:01"}\n' "$i" "$steps" $((10 - i)) $((i * 100 / steps)) >> "$out/trainer_log.jsonl"
          if [ "$i" = 2 ]; then
            printf '{"current_steps": 2, "total_steps": %d, "eval_loss": 8.25, "epoch": 0.2, "percentage": 50.0, "elapsed_time": "0:00:01", "remaining_time": "0:00:01"}\n' "$steps" >> "$out/trainer_log.jsonl"
          fi
          echo "step $i"
          sleep "${FAKE_SLEEP:-0.05}"
        done
        printf '{"current_steps": %d, "total_steps": %d, "epoch": 0.5, "percentage": 100.0, "elapsed_time": "0:00:02", "remaining_time": "0:00:00"}\n' "$steps" "$steps" >> "$out/trainer_log.jsonl"
        echo "fake-end" >&2
        [ "${FAKE_EXIT:-0}" = 0 ] && touch "$out/adapter_model.safetensors"
        exit "${FAKE_EXIT:-0}"
        """#

    /// A hand-written rendered config (the config half is tested on its own).
    func rendered(outputDir: String, stage: String = "sft", dataset: String? = nil) throws -> RenderedConfig {
        var datasets: [(name: String, path: String?)] = []
        if let dataset {
            let file = try write("data/\(dataset).json", #"[{"instruction": "hi", "input": "", "output": "hello"}]"#)
            datasets.append((dataset, file))
        }
        let yaml = "model_name_or_path: /models/tiny\nstage: \(stage)\noutput_dir: \(outputDir)\n"
        return RenderedConfig(mapping: try YAMLParser.parse(yaml).mapping!, yaml: yaml, stage: stage,
                              outputDir: outputDir, datasets: datasets)
    }
}

/// Collects what the launcher hands to the console.
final class RecordingConsole: LaunchConsole, @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [OutputLine] = []
    private var _progress: [ProgressSummary] = []
    private var _finished = false

    func childLine(_ line: OutputLine) { lock.lock(); _lines.append(line); lock.unlock() }
    func progress(_ summary: ProgressSummary) { lock.lock(); _progress.append(summary); lock.unlock() }
    func finish() { lock.lock(); _finished = true; lock.unlock() }

    var lines: [OutputLine] { lock.lock(); defer { lock.unlock() }; return _lines }
    var progressUpdates: [ProgressSummary] { lock.lock(); defer { lock.unlock() }; return _progress }
    var finished: Bool { lock.lock(); defer { lock.unlock() }; return _finished }
}

/// lfm's environment for a test child: a minimal PATH plus the fake's knobs.
func testBaseEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "PYTHONHOME": "/should/be/unset"]
    for (k, v) in extra { env[k] = v }
    return env
}
