import Foundation
import Testing
import YAML
@testable import LFMTrain

/// Kubernetes manifests (golden files, parsed back by the YAML wrapper) and the Ray command.
@Suite struct EngineRenderTests {
    static func manifest(_ kind: KubernetesManifest.Kind, nnodes: Int = 2) -> KubernetesManifest {
        KubernetesManifest(kind: kind, runID: "20261124-211500-sft-Tiny_Llama3.2", image: "ghcr.io/acme/llamafactory:0.9.5",
                           pvc: "lfm-workspace", mountPath: "/shared/ws",
                           arguments: ["train", "/shared/ws/.lfm/runs/r1/train.yaml", "overwrite_output_dir=true"],
                           workingDirectory: "/shared/ws/.lfm/runs/r1", nnodes: nnodes, nprocPerNode: 4, gpusPerNode: 4)
    }

    func golden(_ name: String, _ text: String) throws {
        let path = ConfigFixture.goldenDir + "/" + name + ".yaml"
        if ProcessInfo.processInfo.environment["LFM_UPDATE_GOLDEN"] == "1" {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text == expected, "differs from \(path); if intended: LFM_UPDATE_GOLDEN=1 swift test --filter EngineRenderTests")
    }

    /// The container's command, run by bash: `/bin/bash -c SCRIPT $0 $@`.
    func command(_ pod: YAMLNode?) throws -> [String] {
        let container = try #require(pod?["spec"]?["containers"]?[0])
        let items = try #require(container["command"]?.sequence)
        return items.compactMap { $0.stringValue }
    }

    func env(_ pod: YAMLNode?) throws -> [String: String] {
        let items = try #require(pod?["spec"]?["containers"]?[0]?["env"]?.sequence)
        return Dictionary(uniqueKeysWithValues: items.compactMap { item in
            item["name"]?.stringValue.flatMap { name in item["value"]?.stringValue.map { (name, $0) } }
        })
    }

    @Test func pytorchJobGoldenAndParsedBack() throws {
        let text = try Self.manifest(.pytorchjob).text()
        try golden("k8s_pytorchjob", text)
        let docs = try YAMLParser.parseAll(text)
        #expect(docs.count == 1)
        let job = docs[0]
        #expect(job["apiVersion"]?.stringValue == "kubeflow.org/v1" && job["kind"]?.stringValue == "PyTorchJob")
        #expect(job["metadata"]?["name"]?.stringValue == "lfm-20261124-211500-sft-tiny-llama3-2")
        let specs = try #require(job["spec"]?["pytorchReplicaSpecs"])
        #expect(specs["Master"]?["replicas"]?.intValue == 1)
        #expect(specs["Worker"]?["replicas"]?.intValue == 1)
        let pod = specs["Worker"]?["template"]
        #expect(pod?["spec"]?["containers"]?[0]?["name"]?.stringValue == "pytorch")
        let cmd = try command(pod)
        #expect(cmd[0] == "/bin/bash" && cmd[1] == "-c")
        #expect(cmd[2].contains("NNODES=\"${PET_NNODES:-$WORLD_SIZE}\"") && cmd[2].contains("NODE_RANK=\"${PET_NODE_RANK:-$RANK}\""))
        #expect(Array(cmd[3...]) == ["train", "/shared/ws/.lfm/runs/r1/train.yaml", "overwrite_output_dir=true"])
        let vars = try env(pod)
        #expect(vars["NPROC_PER_NODE"] == "4" && vars["FORCE_TORCHRUN"] == "1")
        let volumes = try #require(pod?["spec"]?["volumes"]?.sequence)
        #expect(volumes.contains { $0["emptyDir"]?["medium"]?.stringValue == "Memory" })
        #expect(volumes.contains { $0["persistentVolumeClaim"]?["claimName"]?.stringValue == "lfm-workspace" })
        #expect(pod?["spec"]?["containers"]?[0]?["resources"]?["limits"]?["nvidia.com/gpu"]?.intValue == 4)
        // One node: no Worker replicas.
        let single = try YAMLParser.parseAll(try Self.manifest(.pytorchjob, nnodes: 1).text())
        #expect(single[0]["spec"]?["pytorchReplicaSpecs"]?["Worker"] == nil)
    }

    @Test func indexedJobGoldenAndParsedBack() throws {
        let text = try Self.manifest(.job, nnodes: 3).text()
        try golden("k8s_job", text)
        let docs = try YAMLParser.parseAll(text)
        #expect(docs.map { $0["kind"]?.stringValue } == ["Service", "Job"])
        let name = "lfm-20261124-211500-sft-tiny-llama3-2"
        #expect(docs[0]["spec"]?["clusterIP"]?.stringValue == "None")
        #expect(docs[0]["spec"]?["selector"]?["lfm/run"]?.stringValue == name)
        let spec = try #require(docs[1]["spec"])
        #expect(spec["completionMode"]?.stringValue == "Indexed")
        #expect(spec["completions"]?.intValue == 3 && spec["parallelism"]?.intValue == 3)
        let pod = spec["template"]
        #expect(pod?["spec"]?["subdomain"]?.stringValue == name)
        #expect(pod?["metadata"]?["labels"]?["lfm/run"]?.stringValue == name)
        #expect(try command(pod)[2].hasPrefix("export NODE_RANK=\"$JOB_COMPLETION_INDEX\""))
        let vars = try env(pod)
        #expect(vars["NNODES"] == "3" && vars["MASTER_ADDR"] == "\(name)-0.\(name)" && vars["MASTER_PORT"] == "29500")
    }

    @Test func namesAreDNSLabels() {
        var m = Self.manifest(.job)
        m.runID = String(repeating: "x", count: 80)
        #expect(m.name.count <= 56 && m.name.hasPrefix("lfm-"))
        #expect(KubernetesManifest.pathsOutside("/shared/ws", [("output_dir", "/shared/ws/saves/x"), ("model", "/models/tiny"),
                                                               ("run dir", "/shared/wsx/r")]).count == 2)
    }

    @Test func rayCommandAndRemovedKeys() throws {
        let job = RayJob(address: "http://head:8265", rayCLI: "/envs/lf/bin/ray", cli: "/envs/lf/bin/llamafactory-cli",
                         arguments: ["train", "/ws/.lfm/runs/r1/train.yaml"])
        #expect(job.shellLine == #"/envs/lf/bin/ray job submit --address http://head:8265 --runtime-env-json '{"env_vars":{"USE_RAY":"1"}}' -- /envs/lf/bin/llamafactory-cli train /ws/.lfm/runs/r1/train.yaml"#)
        for key in ["ray_run_name", "ray_storage_path", "resources_per_worker", "placement_strategy"] {
            let mapping = try #require(try YAMLParser.parse("ray_num_workers: 4\n\(key): x\n").mapping)
            #expect(throws: RayError.self) { try RayJob.checkRemovedKeys(mapping) }
        }
        try RayJob.checkRemovedKeys(try #require(try YAMLParser.parse("ray_num_workers: 4\nray_init_kwargs: {address: auto}\n").mapping))
    }
}
