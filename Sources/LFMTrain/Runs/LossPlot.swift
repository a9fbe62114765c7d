import Foundation

/// A loss-curve chart as standalone SVG: one polyline per run (eval loss as dashed points),
/// x = step, y = loss, axes with "nice" ticks, a legend.
public struct LossPlot: Sendable {
    public struct Series: Sendable {
        public var label: String
        public var points: [(x: Double, y: Double)]
        public var evalPoints: [(x: Double, y: Double)]
        public init(label: String, points: [(x: Double, y: Double)], evalPoints: [(x: Double, y: Double)] = []) {
            self.label = label
            self.points = points
            self.evalPoints = evalPoints
        }
    }

    public var series: [Series]
    public var title: String
    public var width = 800.0
    public var height = 480.0

    public init(series: [Series], title: String = "Training loss") {
        self.series = series
        self.title = title
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    /// Tick values covering [lo, hi] with a 1/2/5×10^n step.
    public static func ticks(_ lo: Double, _ hi: Double, count: Int = 6) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(max(1, count - 1))
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var v = (lo / step).rounded(.down) * step
        var out: [Double] = []
        while v <= hi + step * 1e-9 {
            if v >= lo - step * 1e-9 { out.append(v) }
            v += step
        }
        return out
    }

    /// Tick labels with as many decimals as the step needs, so no two read the same
    /// (7.542, 7.544, … rather than 7.54 three times).
    public static func labels(_ ticks: [Double]) -> [String] {
        guard ticks.count > 1 else { return ticks.map { label($0) } }
        let step = abs(ticks[1] - ticks[0])
        let decimals = step > 0 ? max(0, Int((-log10(step)).rounded(.up) + 1e-9)) : 0
        guard decimals > 0, decimals <= 8, ticks.allSatisfy({ abs($0) < 1e7 }) else { return ticks.map { label($0) } }
        return ticks.map { String(format: "%.\(decimals)f", $0) }
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e7 { return String(Int(v)) }
        if abs(v) >= 0.01 { return String(format: "%.3g", v) }
        return String(format: "%.2e", v)
    }

    static func escape(_ s: String) -> String { MarkupEscape.escape(s) }

    public func svg() -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        // The legend goes under the chart, so it never hides a curve.
        let legendHeight = Double(series.count) * 18 + 10
        let plotW = width - left - right
        let plotH = height - top - bottom
        let totalHeight = height + legendHeight + 10
        let all = series.flatMap { $0.points + $0.evalPoints }
        var xMin = all.map(\.x).min() ?? 0, xMax = all.map(\.x).max() ?? 1
        var yMin = all.map(\.y).min() ?? 0, yMax = all.map(\.y).max() ?? 1
        if xMax <= xMin { xMax = xMin + 1 }
        if yMax <= yMin { yMin -= 0.5; yMax += 0.5 }
        let pad = (yMax - yMin) * 0.05
        yMin -= pad; yMax += pad
        xMin = min(xMin, 0)
        let xt = Self.ticks(xMin, xMax), yt = Self.ticks(yMin, yMax)
        xMin = min(xMin, xt.first ?? xMin); xMax = max(xMax, xt.last ?? xMax)
        yMin = min(yMin, yt.first ?? yMin); yMax = max(yMax, yt.last ?? yMax)
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - yMin) / (yMax - yMin) * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }

        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(totalHeight))" viewBox="0 0 \(Int(width)) \(Int(totalHeight))" font-family="sans-serif" font-size="12">
        <rect x="0" y="0" width="\(Int(width))" height="\(Int(totalHeight))" fill="white"/>
        <text x="\(f(width / 2))" y="22" text-anchor="middle" font-size="15">\(Self.escape(title))</text>

        """
        s += "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n"
        for t in yt { s += "<line x1=\"\(f(left))\" y1=\"\(f(py(t)))\" x2=\"\(f(left + plotW))\" y2=\"\(f(py(t)))\"/>\n" }
        for t in xt { s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH))\"/>\n" }
        s += "</g>\n<g stroke=\"black\" stroke-width=\"1\">\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\"/>\n"
        s += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\"/>\n"
        for t in xt { s += "<line x1=\"\(f(px(t)))\" y1=\"\(f(top + plotH))\" x2=\"\(f(px(t)))\" y2=\"\(f(top + plotH + 5))\"/>\n" }
        for t in yt { s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(t)))\" x2=\"\(f(left))\" y2=\"\(f(py(t)))\"/>\n" }
        s += "</g>\n<g fill=\"black\">\n"
        for (t, text) in zip(xt, Self.labels(xt)) { s += "<text x=\"\(f(px(t)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(text)</text>\n" }
        for (t, text) in zip(yt, Self.labels(yt)) { s += "<text x=\"\(f(left - 8))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(text)</text>\n" }
        s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">step</text>\n"
        s += "<text x=\"16\" y=\"\(f(top + plotH / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + plotH / 2)))\">loss</text>\n"
        s += "</g>\n"
        for (i, one) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let pts = one.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            if one.points.count == 1, let p = one.points.first {
                s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"3\" fill=\"\(color)\"/>\n"
            } else if !one.points.isEmpty {
                s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(pts)\"/>\n"
            }
            if !one.evalPoints.isEmpty {
                let e = one.evalPoints.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" stroke-dasharray=\"5,4\" points=\"\(e)\"/>\n"
            }
        }
        // Legend, under the x axis label.
        let legendW = min(plotW, 14 + 7.5 * Double(series.map { $0.label.count + ($0.evalPoints.isEmpty ? 0 : 11) }.max() ?? 10) + 30)
        let lx = left, ly = height
        s += "<g>\n<rect x=\"\(f(lx))\" y=\"\(f(ly))\" width=\"\(f(legendW))\" height=\"\(f(legendHeight))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#999\"/>\n"
        for (i, one) in series.enumerated() {
            let color = Self.palette[i % Self.palette.count]
            let y = ly + 16 + Double(i) * 18
            s += "<line x1=\"\(f(lx + 8))\" y1=\"\(f(y - 4))\" x2=\"\(f(lx + 30))\" y2=\"\(f(y - 4))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            let name = one.label + (one.evalPoints.isEmpty ? "" : " (- - eval)")
            s += "<text x=\"\(f(lx + 36))\" y=\"\(f(y))\">\(Self.escape(name))</text>\n"
        }
        s += "</g>\n</svg>\n"
        return s
    }
}
