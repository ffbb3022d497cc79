import XCTest
@testable import MoteSim

final class LayerMatcherTests: XCTestCase {
    func testAlignSkipsInsertedOperators() {
        // The int8 model has an extra operator in the middle; the float one an extra at the end.
        let q = ["CONV_2D", "MAX_POOL_2D", "PAD", "CONV_2D", "FULLY_CONNECTED"]
        let f = ["CONV_2D", "MAX_POOL_2D", "CONV_2D", "FULLY_CONNECTED", "LOGISTIC"]
        let pairs = LayerMatcher.align(q, f)
        XCTAssertEqual(pairs.map { [$0.0, $0.1] }, [[0, 0], [1, 1], [3, 2], [4, 3]])
    }

    func testAlignEqualSequencesPairIndexByIndex() {
        let ops = ["CONV_2D", "CONV_2D", "CONV_2D"]
        XCTAssertEqual(LayerMatcher.align(ops, ops).map { [$0.0, $0.1] }, [[0, 0], [1, 1], [2, 2]])
        XCTAssertEqual(LayerMatcher.align(["CONV_2D"], ["CONV_2D", "CONV_2D"]).map { [$0.0, $0.1] }, [[0, 0]], "earliest pair on ties")
        XCTAssertTrue(LayerMatcher.align([], ["CONV_2D"]).isEmpty)
    }

    func testShortNames() {
        XCTAssertEqual(LayerMatcher.shortName("seed_1/conv2d_1/Relu;seed_1/conv2d_1/BiasAdd;seed_1/conv2d_1/convolution"), "conv2d_1")
        XCTAssertEqual(LayerMatcher.shortName("seed_1/max_pooling2d_1/MaxPool2d"), "max_pooling2d_1")
        XCTAssertEqual(LayerMatcher.shortName("StatefulPartitionedCall_1:0"), "StatefulPartitionedCall_1")
        XCTAssertEqual(LayerMatcher.shortName(""), "")
    }
}
