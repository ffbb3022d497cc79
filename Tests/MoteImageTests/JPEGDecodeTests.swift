import XCTest
import MoteImage

/// Decoding against Pillow's decodes of the same files (Fixtures/jpeg, written by Pillow:
/// baseline 4:2:0, progressive, 4:4:4, grayscale, Adobe CMYK) and against known pixels of JPEGs
/// compressed here through libjpeg.
final class JPEGDecodeTests: XCTestCase {
    func testMatchesPillowDecodeExactly() throws {
        let cases = try Fixtures.manifest()["jpeg"] as! [[String: Any]]
        XCTAssertEqual(cases.count, 5)
        for c in cases {
            let bytes = try Fixtures.bytes("jpeg/" + (c["file"] as! String))
            let rgb = try JPEG.decode(bytes, channels: 3)
            let gray = try JPEG.decode(bytes, channels: 1)
            XCTAssertEqual(rgb.width, 48); XCTAssertEqual(rgb.height, 40); XCTAssertEqual(rgb.channels, 3)
            XCTAssertEqual(gray.channels, 1)
            let name = c["file"] as! String
            XCTAssertEqual(maxDifference(rgb.pixels, try Fixtures.bytes("jpeg/" + (c["rgb"] as! String))), 0, "\(name) RGB")
            XCTAssertEqual(maxDifference(gray.pixels, try Fixtures.bytes("jpeg/" + (c["gray"] as! String))), 0, "\(name) L")
        }
    }

    /// A smooth test card: JPEG at quality 95 keeps every sample within a few levels.
    private func card(width: Int, height: Int, channels: Int) -> [UInt8] {
        var p = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let v = 128.0 + 90.0 * sin(Double(x) * 0.11 + Double(c)) * cos(Double(y) * 0.07 - Double(c) * 0.5)
                    p[(y * width + x) * channels + c] = UInt8(v.rounded())
                }
            }
        }
        return p
    }

    private func meanAbsoluteError(_ a: [UInt8], _ b: [UInt8]) -> Double {
        zip(a, b).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) } / Double(a.count)
    }

    func testRoundTripsThroughLibjpegCompressor() throws {
        for (channels, progressive) in [(3, false), (3, true), (1, false), (1, true)] {
            let pixels = card(width: 61, height: 43, channels: channels)
            let file = try JPEG.encode(Image(width: 61, height: 43, channels: channels, pixels: pixels), quality: 95, progressive: progressive)
            let image = try JPEG.decode(file, channels: channels)
            XCTAssertEqual(image.width, 61); XCTAssertEqual(image.height, 43)
            let mae = meanAbsoluteError(image.pixels, pixels), worst = maxDifference(image.pixels, pixels)
            XCTAssertLessThan(mae, 1.5, "channels \(channels) progressive \(progressive)")
            XCTAssertLessThanOrEqual(worst, 12, "channels \(channels) progressive \(progressive)")
        }
    }

    /// libjpeg writes CMYK with an Adobe marker and the samples as given; the decoder reads them as
    /// Adobe-inverted (Photoshop) CMYK: stored s means ink 255 − s, so R = s_C · s_K / 255.
    func testAdobeCMYKToRGB() throws {
        let width = 32, height = 24
        var cmyk = [UInt8](repeating: 0, count: width * height * 4)
        var inverted = [UInt8](repeating: 0, count: width * height * 3), plain = inverted
        for i in 0..<(width * height) {
            let stored = [UInt8(40 + (i % 32) * 6), UInt8(200 - (i / 32) * 5), 160, 230]
            for c in 0..<4 { cmyk[4 * i + c] = stored[c] }
            for c in 0..<3 {
                // Adobe: stored s means ink 255 − s, so R = s_C · s_K / 255.
                inverted[3 * i + c] = UInt8((Double(stored[c]) * Double(stored[3]) / 255).rounded())
                // Plain: R = (255 − C)(255 − K) / 255.
                plain[3 * i + c] = UInt8(((255 - Double(stored[c])) * (255 - Double(stored[3])) / 255).rounded())
            }
        }
        for (storage, expected) in [(JPEG.CMYKStorage.adobe, inverted), (.ycck, inverted), (.plain, plain)] {
            let file = try JPEG.encode(samples: cmyk, width: width, height: height, components: 4, quality: 98, cmyk: storage)
            let rgb = try JPEG.decode(file)
            XCTAssertEqual(rgb.channels, 3)
            XCTAssertLessThanOrEqual(maxDifference(rgb.pixels, expected), 8, "\(storage)")
            XCTAssertLessThan(meanAbsoluteError(rgb.pixels, expected), 1.5, "\(storage)")
        }
    }

    func testGrayscaleFileToRGBRepeatsTheSample() throws {
        let pixels = card(width: 20, height: 20, channels: 1)
        let file = try JPEG.encode(Image(width: 20, height: 20, channels: 1, pixels: pixels))
        let gray = try JPEG.decode(file, channels: 1), rgb = try JPEG.decode(file, channels: 3)
        for i in 0..<400 {
            XCTAssertEqual(rgb.pixels[3 * i], gray.pixels[i]); XCTAssertEqual(rgb.pixels[3 * i + 2], gray.pixels[i])
        }
    }

    func testBadInputIsAnErrorNeverACrash() throws {
        let good = try Fixtures.bytes("jpeg/baseline.jpg")
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        func message(_ bytes: [UInt8]) -> String? {
            do { _ = try JPEG.decode(bytes); return nil } catch { return "\(error)" }
        }
        XCTAssertEqual(message(png), "not a JPEG file (it is a PNG)")
        XCTAssertEqual(message(Array("hello, world\n".utf8)), "not a JPEG file (it looks like text)")
        XCTAssertEqual(message([]), "not a JPEG file (the file is empty)")
        XCTAssertNotNil(message([0xFF, 0xD8]))
        // Every truncation is an error, none crashes.
        for cut in stride(from: 2, to: good.count - 2, by: 7) {
            XCTAssertNotNil(message(Array(good.prefix(cut))), "truncated at \(cut) of \(good.count)")
        }
        XCTAssertTrue(message(Array(good.prefix(good.count / 2)))!.contains("truncated"))
        // Corrupt entropy data: flipped bytes either decode (libjpeg recovers, as Pillow does) or throw.
        var rng = SplitMix64(seed: 9)
        for _ in 0..<200 {
            var bad = good
            for _ in 0..<4 { bad[Int(rng.next() % UInt64(bad.count - 2)) + 2] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = message(bad)
        }
        // A header that claims a huge image (65,000 × 65,000) is refused before allocation.
        var huge = good
        let sof = (0..<(huge.count - 1)).first { huge[$0] == 0xFF && huge[$0 + 1] == 0xC0 }!
        for offset in [5, 7] { huge[sof + offset] = 0xFD; huge[sof + offset + 1] = 0xE8 }
        XCTAssertTrue(message(huge)!.contains("exceed the limit"), message(huge) ?? "decoded")
        XCTAssertThrowsError(try JPEG.decode(path: "/nonexistent/mote/x.jpg")) { error in
            XCTAssertEqual((error as? ImageError)?.path, "/nonexistent/mote/x.jpg")
        }
    }
}
