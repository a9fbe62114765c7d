import Testing
@testable import LFMTrain

@Test func requestDefaultsToLoRA() {
    let request = TrainRequest(model: "llama3", datasets: ["a"])
    #expect(request.method == .lora)
    #expect(request.stage == nil)
}
