import LFMTrain
import Testing

@Test("y-axis labels on a narrow loss range are all different")
func narrowRangeLabelsDiffer() {
    let ticks = LossPlot.ticks(7.5405, 7.5630)
    let labels = LossPlot.labels(ticks)
    #expect(ticks.count >= 3)
    #expect(Set(labels).count == labels.count, "\(labels)")
    #expect(LossPlot.labels([0, 2, 4]) == ["0", "2", "4"])
    #expect(LossPlot.labels([0.5, 1.0, 1.5]) == ["0.5", "1.0", "1.5"])
}
