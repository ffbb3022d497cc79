import CMoteJPEG
import Foundation

/// JPEG decoding through libjpeg-turbo with its defaults (accurate integer IDCT, fancy
/// upsampling), which are Pillow's: a decode equals Pillow's `Image.open(f).convert(mode)`
/// byte for byte. libjpeg's fatal errors are caught (never `exit()`), truncated data is an error,
/// and recoverable corrupt-data warnings are tolerated as Pillow tolerates them.
public enum JPEG {
    /// Images above this many pixels are refused before any pixel memory is allocated
    /// (Pillow's decompression-bomb limit is 2 × 89,478,485).
    public static let maxPixels = 178_956_970

    /// Decodes a JPEG file's bytes to `channels` channels (1 = grayscale, 3 = RGB).
    /// Grayscale files become RGB by repeating the sample; RGB (YCbCr) files become grayscale with
    /// Pillow's luma (`Image.converted(channels:)`); CMYK and YCCK files are converted with
    /// Pillow's `cmyk2rgb`, reading the samples as inverted (Adobe/Photoshop convention) when the
    /// file has an Adobe APP14 marker and as plain CMYK otherwise (Pillow assumes inverted always).
    /// Throws `ImageError` (`.notJPEG`, `.corrupt`, `.truncated`) for anything else.
    public static func decode(_ bytes: [UInt8], channels: Int = 3) throws -> Image {
        guard channels == 1 || channels == 3 else {
            throw ImageError(.invalidArgument, "channels must be 1 or 3, not \(channels)")
        }
        guard bytes.count >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw ImageError(.notJPEG, "not a JPEG file (\(signatureDescription(bytes)))")
        }
        var result = mote_jpeg_result()
        var raw: UnsafeMutablePointer<UInt8>? = nil
        let status = bytes.withUnsafeBufferPointer { buffer in
            mote_jpeg_decode(buffer.baseAddress, buffer.count, maxPixels, &raw, &result)
        }
        defer { mote_jpeg_free(raw) }
        guard status == Int32(MOTE_JPEG_OK), let raw else {
            let message = withUnsafeBytes(of: &result.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            switch Int(status) {
            case Int(MOTE_JPEG_TRUNCATED): throw ImageError(.truncated, message)
            case Int(MOTE_JPEG_TOO_LARGE): throw ImageError(.invalidArgument, message)
            default:
                // A cut inside the headers makes libjpeg fail on garbage rather than warn about
                // the end of data; a file that does not end with EOI (FF D9) was cut short.
                if !(bytes.count >= 4 && bytes[bytes.count - 2] == 0xFF && bytes[bytes.count - 1] == 0xD9) {
                    throw ImageError(.truncated, "the JPEG data is truncated (no end-of-image marker; libjpeg: \(message))")
                }
                throw ImageError(.corrupt, "corrupt JPEG: \(message)")
            }
        }
        let width = Int(result.width), height = Int(result.height), count = width * height
        let components = Int(result.components)
        let decoded: Image
        switch components {
        case 1, 3:
            decoded = Image(width: width, height: height, channels: components,
                            pixels: [UInt8](UnsafeBufferPointer(start: raw, count: count * components)))
        case 4:
            let rgb = [UInt8](unsafeUninitializedCapacity: count * 3) { out, initialized in
                Image.cmykToRGB(raw, out.baseAddress!, count: count, inverted: result.adobe_marker != 0)
                initialized = count * 3
            }
            decoded = Image(width: width, height: height, channels: 3, pixels: rgb)
        default:
            throw ImageError(.corrupt, "unsupported JPEG with \(components) components")
        }
        return decoded.converted(channels: channels)
    }

    /// `decode(_:channels:)` over `Data`.
    public static func decode(_ data: Data, channels: Int = 3) throws -> Image {
        try decode([UInt8](data), channels: channels)
    }

    /// Reads and decodes the file at `path`; errors name the path.
    public static func decode(path: String, channels: Int = 3) throws -> Image {
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe))
        } catch {
            throw ImageError(.unreadable, "cannot read the file (\(error.localizedDescription))", path: path)
        }
        do { return try decode(bytes, channels: channels) } catch let error as ImageError { throw error.at(path) }
    }

    /// Compresses an image with libjpeg (quality 1...100, baseline or progressive), for making
    /// test images; `encode(samples:...)` also takes CMYK.
    public static func encode(_ image: Image, quality: Int = 90, progressive: Bool = false) throws -> [UInt8] {
        try encode(samples: image.pixels, width: image.width, height: image.height, components: image.channels,
                   quality: quality, progressive: progressive)
    }

    /// How `encode(samples:...)` stores 4-component (CMYK) samples.
    public enum CMYKStorage: Int32, Sendable {
        /// CMYK with libjpeg's Adobe marker: the decoder reads the samples as inverted (Adobe).
        case adobe = 0
        /// CMYK without an Adobe marker: the decoder reads the samples as plain CMYK.
        case plain = 1
        /// Converted to YCCK (Adobe marker, transform 2); decodes like `adobe`.
        case ycck = 2
    }

    /// Compresses raw samples: `components` 1 (gray), 3 (RGB) or 4 (CMYK, stored as `cmyk` says).
    public static func encode(samples: [UInt8], width: Int, height: Int, components: Int,
                              quality: Int = 90, progressive: Bool = false, cmyk: CMYKStorage = .adobe) throws -> [UInt8] {
        guard samples.count == width * height * components, [1, 3, 4].contains(components),
              width > 0, height > 0, width <= 65_500, height <= 65_500 else {
            throw ImageError(.invalidArgument, "encode: \(samples.count) samples for \(width)x\(height)x\(components)")
        }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = samples.withUnsafeBufferPointer { buffer in
            mote_jpeg_encode(buffer.baseAddress, Int32(width), Int32(height), Int32(components),
                             Int32(max(1, min(100, quality))), progressive ? 1 : 0, cmyk.rawValue, &out, &size, &message, message.count)
        }
        defer { mote_jpeg_free(out) }
        guard status == Int32(MOTE_JPEG_OK), let out else {
            throw ImageError(.invalidArgument, "encode failed: \(String(cString: message))")
        }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }

    /// A short description of what a non-JPEG file starts with, for error messages.
    static func signatureDescription(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "the file is empty" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "it is a PNG" }
        if bytes.starts(with: Array("GIF8".utf8)) { return "it is a GIF" }
        if bytes.starts(with: [0x42, 0x4D]) { return "it is a BMP" }
        if bytes.starts(with: Array("RIFF".utf8)) { return "it is a RIFF/WebP file" }
        let head = bytes.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " ")
        let printable = bytes.prefix(64).allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) }
        return printable ? "it looks like text" : "it starts with \(head)"
    }
}
