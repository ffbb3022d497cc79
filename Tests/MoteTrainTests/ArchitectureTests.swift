import XCTest
@testable import MoteTrain

final class ArchitectureTests: XCTestCase {
    func testSeedParameterCountMatchesKeras() throws {
        // Keras' model.summary() for the tutorial CNN at 64×64×3: 1,204,257 total params.
        let m = try Sequential(inputShape: [64, 64, 3], layers: Architecture.seed.layers(classes: 2), seed: 1)
        XCTAssertEqual(m.parameterCount, 1_204_257)
        XCTAssertEqual(m.outputShape, [1])
    }
}
