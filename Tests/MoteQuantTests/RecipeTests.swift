import Foundation
import XCTest
@testable import MoteQuant

/// Recipe parsing: the shipped recipes parse, and every kind of mistake names its field.
final class RecipeTests: XCTestCase {
    static let calibrationFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("calibration")

    func parse(_ json: String) throws -> CalibrationRecipe { try CalibrationRecipe(json: Array(json.utf8)) }

    func assertError(_ json: String, field: String, containing text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), file: file, line: line) { error in
            guard case let QuantError.recipe(f, message) = error else { return XCTFail("wrong error \(error)", file: file, line: line) }
            XCTAssertEqual(f, field, file: file, line: line)
            XCTAssertTrue(message.contains(text), "'\(message)' lacks '\(text)'", file: file, line: line)
            XCTAssertTrue("\(error)".contains(field), file: file, line: line)
        }
    }

    /// calibration/default.json spells out exactly the built-in defaults.
    func testDefaultFileEqualsTheDefaults() throws {
        var recipe = try CalibrationRecipe(contentsOf: Self.calibrationFolder.appendingPathComponent("default.json").path)
        XCTAssertFalse(recipe.description.isEmpty)
        recipe.description = ""
        XCTAssertEqual(recipe, CalibrationRecipe())
        XCTAssertEqual(CalibrationRecipe().observer, .minmax)
        XCTAssertEqual(CalibrationRecipe().samples, 500)
        XCTAssertTrue(CalibrationRecipe().perChannel)
    }

    /// Every shipped recipe parses, and each field given in it is taken.
    func testEveryShippedRecipeParses() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.calibrationFolder.path).filter { $0.hasSuffix(".json") }
        XCTAssertGreaterThanOrEqual(files.count, 5)
        for f in files {
            XCTAssertNoThrow(try CalibrationRecipe(contentsOf: Self.calibrationFolder.appendingPathComponent(f).path), f)
        }
        let kl = try CalibrationRecipe(contentsOf: Self.calibrationFolder.appendingPathComponent("entropy.json").path)
        XCTAssertEqual(kl.observer, .kl)
        let r = try parse(#"{"observer": "percentile", "percentile": 99.9, "samples": 64, "seed": 3, "per_channel": false, "bias_correction": true}"#)
        XCTAssertEqual(r.observer, .percentile)
        XCTAssertEqual(r.percentile, 99.9)
        XCTAssertEqual(r.samples, 64)
        XCTAssertEqual(r.seed, 3)
        XCTAssertFalse(r.perChannel)
        XCTAssertTrue(r.biasCorrection)
    }

    func testUnknownField() {
        assertError(#"{"observer": "minmax", "percentil": 99}"#, field: "percentil", containing: "unknown field")
    }

    func testOutOfRangeValues() {
        assertError(#"{"percentile": 101}"#, field: "percentile", containing: "out of range")
        assertError(#"{"percentile": 10}"#, field: "percentile", containing: "[50, 100]")
        assertError(#"{"samples": 0}"#, field: "samples", containing: "1...100000")
        assertError(#"{"samples": 2.5}"#, field: "samples", containing: "not an integer")
        assertError(#"{"averaging_constant": 0}"#, field: "averaging_constant", containing: "(0, 1]")
        assertError(#"{"histogram_bins": 8}"#, field: "histogram_bins", containing: "out of range")
        assertError(#"{"seed": -1}"#, field: "seed", containing: "out of range")
    }

    func testWrongTypesAndValues() {
        assertError(#"{"samples": "many"}"#, field: "samples", containing: "integer")
        assertError(#"{"per_channel": 1}"#, field: "per_channel", containing: "true or false")
        assertError(#"{"observer": "entropy"}"#, field: "observer", containing: "minmax")
        assertError(#"{"input_range": "fixed"}"#, field: "input_range", containing: "preprocessing")
        assertError(#"{"observer": 3}"#, field: "observer", containing: "string")
    }

    func testMalformedFile() {
        assertError("{ not json", field: "(file)", containing: "JSON")
        assertError("[1, 2]", field: "(file)", containing: "object")
        XCTAssertThrowsError(try CalibrationRecipe(contentsOf: "/nonexistent/recipe.json")) { error in
            XCTAssertTrue("\(error)".contains("cannot read"))
        }
    }
}
