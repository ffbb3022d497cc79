import Foundation
import XCTest
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import MoteReport
@testable import MoteSim

final class ReportRenderingTests: XCTestCase {
    /// A small report built from hand-made predictions: 4 images, float right on 3, int8 on 2.
    static func sample(maxDrop: Double? = nil) -> Report {
        let predictions = [
            ImagePrediction(file: "female/a.jpg", label: 0, floatPrediction: 0, int8Prediction: 0, floatOutput: [0.2], int8Output: [0.21]),
            ImagePrediction(file: "female/b.jpg", label: 0, floatPrediction: 0, int8Prediction: 1, floatOutput: [0.49], int8Output: [0.51]),
            ImagePrediction(file: "male/c.jpg", label: 1, floatPrediction: 1, int8Prediction: 1, floatOutput: [0.9], int8Output: [0.89]),
            ImagePrediction(file: "male/<d>.jpg", label: 1, floatPrediction: 0, int8Prediction: 0, floatOutput: [0.3], int8Output: [0.3]),
        ]
        let accuracy = AccuracySummary(predictions)
        var stats = LayerStatistics(match: LayerMatch(int8Operator: 0, int8Output: 0, int8Tensor: 12, floatOperator: 0, floatOutput: 0, floatTensor: 12,
                                                      opName: "CONV_2D", name: "conv2d_1", int8TensorName: "a/conv2d_1/Relu", floatTensorName: "a/conv2d_1/Relu",
                                                      namesAgree: true, shape: [1, 2, 2, 1], macs: 36),
                                    scale: 0.5, zeroPoint: -128)
        stats.error.add(reference: [0, 0.4, 1.2, 200], raw: [-128, -127, -126, 127], scale: 0.5, zeroPoint: -128)
        stats.floatHistogram.add([0, 0.4, 1.2, 200])
        stats.int8Histogram.add([0, 0.5, 1.0, 127.5])
        stats.images = 1
        let memory = MemoryBudget(ram: 262_144, flash: 1_048_576).check(MemoryFootprint(target: "host", arenaPlanned: 1000, arenaPersistent: 200, ram: 1216, flash: 5000))
        return Report(floatModel: ModelInfo(path: "f.tflite", bytes: 100, operators: 1, macs: 36),
                      int8Model: ModelInfo(path: "q.tflite", bytes: 50, operators: 1, macs: 36),
                      data: DataInfo(directory: "val", classes: ["female", "male"], images: 4, preprocessing: "2x2x1"),
                      accuracy: accuracy,
                      floatConfusion: ConfusionMatrix.counts(labels: predictions.map(\.label), predictions: predictions.map(\.floatPrediction), classCount: 2),
                      int8Confusion: ConfusionMatrix.counts(labels: predictions.map(\.label), predictions: predictions.map(\.int8Prediction), classCount: 2),
                      predictions: predictions, layers: [LayerReport(stats)], layerImages: 1, unmatched: [],
                      worstLayer: WorstLayer(stats), memory: memory, gate: maxDrop.map { DropGate(maxDropPP: $0, dropPP: accuracy.dropPP) })
    }

    func testAccuracyAndVerdictLine() {
        let r = Self.sample()
        XCTAssertEqual(r.accuracy.floatCorrect, 3)
        XCTAssertEqual(r.accuracy.int8Correct, 2)
        XCTAssertEqual(r.accuracy.changedPredictions, 1)
        XCTAssertEqual(r.accuracy.dropPP, 25, accuracy: 1e-12)
        XCTAssertEqual(r.accuracy.maxOutputError, 0.02, accuracy: 1e-12)
        XCTAssertEqual(r.floatConfusion, [[2, 0], [1, 1]])
        XCTAssertEqual(r.int8Confusion, [[1, 1], [1, 1]])
        // SQNR of the hand-worked layer (see ErrorStatisticsTests: 8.8140 dB).
        XCTAssertEqual(r.verdict, "int8 50.00% vs float 75.00%: drop 25.00 pp, 1 of 4 predictions changed, worst layer conv2d_1 at 8.8 dB")
    }

    /// A changed prediction whose int8 sigmoid output is exactly 0.5 is a tie at the threshold.
    func testTiesAtTheThresholdAreCounted() {
        let tie = ImagePrediction(file: "m.jpg", label: 1, floatPrediction: 1, int8Prediction: 0, floatOutput: [0.52], int8Output: [0.5])
        let near = ImagePrediction(file: "n.jpg", label: 1, floatPrediction: 1, int8Prediction: 0, floatOutput: [0.52], int8Output: [0.49609375])
        let same = ImagePrediction(file: "o.jpg", label: 0, floatPrediction: 0, int8Prediction: 0, floatOutput: [0.4], int8Output: [0.5])
        let a = AccuracySummary([tie, near, same])
        XCTAssertEqual(a.changedPredictions, 2)
        XCTAssertEqual(a.changedAtThreshold, 1)
    }

    func testDropGate() {
        XCTAssertFalse(Self.sample(maxDrop: 24.9).gate!.passed)
        XCTAssertTrue(Self.sample(maxDrop: 25).gate!.passed, "a drop equal to the limit passes")
        XCTAssertTrue(DropGate(maxDropPP: 0, dropPP: -0.5).passed, "int8 better than float passes")
    }

    func testMarkdownOpensWithVerdict() {
        let md = MarkdownRenderer.render(Self.sample())
        let lines = md.split(separator: "\n", omittingEmptySubsequences: true)
        XCTAssertEqual(lines[0], "# Accuracy-drop report")
        XCTAssertEqual(lines[1], "**int8 50.00% vs float 75.00%: drop 25.00 pp, 1 of 4 predictions changed, worst layer conv2d_1 at 8.8 dB**")
        XCTAssertTrue(md.contains("| 0 | CONV_2D | conv2d_1 | 1x2x2x1 | 36 | 8.8 |"))
        XCTAssertTrue(md.contains("| female/b.jpg | female | female (0.4900) | male (0.5100) |"), "the changed prediction is listed")
    }

    func testHTMLIsWellFormedAndSelfContained() throws {
        let html = HTMLRenderer.render(Self.sample(maxDrop: 1))
        try Self.assertWellFormed(html)
        Self.assertSelfContained(html)
        // The verdict is the first paragraph of the body and the page title.
        let body = html.range(of: "<body>")!.upperBound
        let firstParagraph = html.range(of: "<p class=\"verdict fail\">", range: body..<html.endIndex)
        XCTAssertNotNil(firstParagraph, "the gate failed, so the verdict is marked")
        XCTAssertTrue(html.contains("<title>int8 50.00% vs float 75.00%: drop 25.00 pp"))
        // Four charts: two confusion matrices, the SQNR bars, the histogram, the memory bars.
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, 5)
        XCTAssertTrue(html.contains("male/&lt;d&gt;.jpg") || !html.contains("<d>"), "text is escaped")
    }

    func testJSONRoundTrips() throws {
        let r = Self.sample(maxDrop: 0.5)
        let decoded = try JSONDecoder().decode(Report.self, from: ReportWriter.json(r))
        XCTAssertEqual(decoded, r)
    }

    /// Parses `html` as XML: every element closed, attributes quoted, entities known.
    static func assertWellFormed(_ html: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let withoutDoctype = html.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
        let parser = XMLParser(data: Data(withoutDoctype.utf8))
        let ok = parser.parse()
        XCTAssertTrue(ok, "report.html is not well-formed: \(parser.parserError.map { "\($0)" } ?? "?") at line \(parser.lineNumber), column \(parser.columnNumber)", file: file, line: line)
    }

    /// No scripts, no external resources (no URL scheme, no src attributes, no remote links).
    static func assertSelfContained(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        for needle in ["http:", "https:", "//", "src=", "<script", "<link", "@import", "url("] {
            XCTAssertFalse(html.replacingOccurrences(of: "<!DOCTYPE html>", with: "").contains(needle), "report.html contains '\(needle)'", file: file, line: line)
        }
    }
}
