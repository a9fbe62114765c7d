import Foundation
import YAML

/// `lfm train --k8s`: a manifest that runs the run's train.yaml with one pod per node, through
/// LLaMA-Factory's torchrun launcher. Two kinds:
///
/// - `pytorchjob`: a Kubeflow `PyTorchJob` (training operator). The operator sets `MASTER_ADDR`,
///   `MASTER_PORT`, `WORLD_SIZE` and `RANK` (and `PET_NNODES`/`PET_NODE_RANK`); each pod maps them
///   to what LLaMA-Factory reads: `NNODES` = `PET_NNODES`, else `WORLD_SIZE` (pods), `NODE_RANK` =
///   `PET_NODE_RANK`, else `RANK`.
/// - `job`: without the operator, an indexed `Job` plus a headless `Service`: `NODE_RANK` =
///   `JOB_COMPLETION_INDEX`, `MASTER_ADDR` = pod 0's DNS name `<name>-0.<name>`.
///
/// Both: `NPROC_PER_NODE`, `FORCE_TORCHRUN=1`, a memory-backed `emptyDir` on `/dev/shm` (a pod's
/// default is 64 MiB: "bus error … not enough shm"), the workspace PVC mounted at the workspace's
/// own path (train.yaml's absolute paths stay valid), the image's `llamafactory-cli`.
public struct KubernetesManifest: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case pytorchjob, job
    }

    public var kind: Kind
    public var runID: String
    public var image: String
    public var pvc: String
    public var mountPath: String
    /// `train <run>/train.yaml [key=value …]`.
    public var arguments: [String]
    public var workingDirectory: String
    public var nnodes: Int
    public var nprocPerNode: Int
    public var gpusPerNode: Int?
    public var masterPort: Int = 29500

    public init(kind: Kind, runID: String, image: String, pvc: String, mountPath: String, arguments: [String],
                workingDirectory: String, nnodes: Int, nprocPerNode: Int, gpusPerNode: Int? = nil) {
        self.kind = kind
        self.runID = runID
        self.image = image
        self.pvc = pvc
        self.mountPath = mountPath
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.nnodes = nnodes
        self.nprocPerNode = nprocPerNode
        self.gpusPerNode = gpusPerNode
    }

    /// A DNS-1123 label from the run id: lowercase letters, digits and `-`, short enough that
    /// `<name>-<index>` (an indexed Job's pod hostname) stays within 63 characters.
    public var name: String {
        let raw = "lfm-" + runID.lowercased()
        var label = String(raw.map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "-" }.prefix(56))
        while label.hasSuffix("-") { label.removeLast() }
        return label
    }

    var labels: YAMLNode { .mapping(["app.kubernetes.io/managed-by": "lfm", "lfm/run": .string(name)]) }

    func env(_ pairs: [(String, String)]) -> YAMLNode {
        .sequence(pairs.map { .mapping(["name": .string($0.0), "value": .string($0.1)]) })
    }

    func container(name: String, rankSetup: String, env extra: [(String, String)]) -> YAMLNode {
        var c: YAMLMapping = ["name": .string(name), "image": .string(image), "workingDir": .string(workingDirectory)]
        // "$0" "$@": the arguments are never interpolated into the shell text.
        c["command"] = .sequence(["/bin/bash", "-c", .string(rankSetup + "; exec llamafactory-cli \"$0\" \"$@\"")]
                                 + arguments.map { .string($0) })
        c["env"] = env(extra + [("NPROC_PER_NODE", String(nprocPerNode)), ("FORCE_TORCHRUN", "1"), ("PYTHONUNBUFFERED", "1")])
        if let gpusPerNode, gpusPerNode > 0 {
            c["resources"] = .mapping(["limits": .mapping(["nvidia.com/gpu": .int(gpusPerNode)])])
        }
        c["volumeMounts"] = .sequence([.mapping(["name": "workspace", "mountPath": .string(mountPath)]),
                                       .mapping(["name": "dshm", "mountPath": "/dev/shm"])])
        return .mapping(c)
    }

    var volumes: YAMLNode {
        .sequence([.mapping(["name": "workspace", "persistentVolumeClaim": .mapping(["claimName": .string(pvc)])]),
                   .mapping(["name": "dshm", "emptyDir": .mapping(["medium": "Memory"])])])
    }

    public var documents: [YAMLNode] {
        switch kind {
        case .pytorchjob:
            // The training operator requires the container to be named `pytorch`.
            let pod: YAMLNode = .mapping(["metadata": .mapping(["labels": labels]), "spec": .mapping([
                "containers": .sequence([container(
                    name: "pytorch",
                    rankSetup: "export NNODES=\"${PET_NNODES:-$WORLD_SIZE}\" NODE_RANK=\"${PET_NODE_RANK:-$RANK}\"",
                    env: [])]),
                "volumes": volumes])])
            var replicas: YAMLMapping = ["Master": .mapping(["replicas": 1, "restartPolicy": "OnFailure", "template": pod])]
            if nnodes > 1 {
                replicas["Worker"] = .mapping(["replicas": .int(nnodes - 1), "restartPolicy": "OnFailure", "template": pod])
            }
            return [.mapping(["apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob",
                              "metadata": .mapping(["name": .string(name), "labels": labels]),
                              "spec": .mapping(["pytorchReplicaSpecs": .mapping(replicas)])])]
        case .job:
            let service: YAMLNode = .mapping([
                "apiVersion": "v1", "kind": "Service",
                "metadata": .mapping(["name": .string(name), "labels": labels]),
                "spec": .mapping(["clusterIP": "None", "publishNotReadyAddresses": true,
                                  "selector": .mapping(["lfm/run": .string(name)]),
                                  "ports": .sequence([.mapping(["name": "torchrun", "port": .int(masterPort)])])])])
            let pod: YAMLNode = .mapping(["metadata": .mapping(["labels": labels]), "spec": .mapping([
                "subdomain": .string(name),
                "restartPolicy": "Never",
                "containers": .sequence([container(
                    name: "llamafactory", rankSetup: "export NODE_RANK=\"$JOB_COMPLETION_INDEX\"",
                    env: [("NNODES", String(nnodes)), ("MASTER_ADDR", "\(name)-0.\(name)"), ("MASTER_PORT", String(masterPort))])]),
                "volumes": volumes])])
            let job: YAMLNode = .mapping([
                "apiVersion": "batch/v1", "kind": "Job",
                "metadata": .mapping(["name": .string(name), "labels": labels]),
                "spec": .mapping(["completionMode": "Indexed", "completions": .int(nnodes), "parallelism": .int(nnodes),
                                  "backoffLimit": 0, "template": pod])])
            return [service, job]
        }
    }

    public func text() throws -> String {
        "# Written by lfm for run \(runID): kubectl apply -f <this file>\n" + (try YAMLEmitter.emitAll(documents))
    }

    /// Paths the pods need that are not on the PVC (under `mountPath`).
    public static func pathsOutside(_ mountPath: String, _ paths: [(what: String, path: String)]) -> [String] {
        paths.filter { $0.path != mountPath && !$0.path.hasPrefix(mountPath.hasSuffix("/") ? mountPath : mountPath + "/") }
            .map { "\($0.what) \($0.path) is not under \(mountPath), where the PVC is mounted in the pods: put it on the volume (or pass --pvc-mount)" }
    }
}
