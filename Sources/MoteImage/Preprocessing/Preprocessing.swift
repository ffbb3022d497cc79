import Foundation

/// How a model's input is made from an image file: the `input` object of the `mote` metadata
/// JSON (see ARCHITECTURE.md), e.g.
/// `{"height": 64, "width": 64, "channels": 3, "resize": "nearest", "scale": 0.00392157, "offset": 0}`.
/// The float input is `pixel × scale + offset`, HWC, after decoding to `channels` channels and
/// resizing to `width×height` with `resize`.
public struct Preprocessing: Sendable, Equatable, Codable {
    public var height: Int
    public var width: Int
    /// 1 (grayscale) or 3 (RGB).
    public var channels: Int
    public var resize: ResizeMethod
    public var scale: Float
    public var offset: Float

    public init(height: Int, width: Int, channels: Int = 3, resize: ResizeMethod = .nearest, scale: Float = 1 / 255, offset: Float = 0) {
        self.height = height
        self.width = width
        self.channels = channels
        self.resize = resize
        self.scale = scale
        self.offset = offset
    }

    /// The preprocessing for models without metadata (e.g. TensorFlow's): RGB or gray in [0, 1]
    /// with `bilinear`, as `tflite_peer.py eval` does.
    public static func peerDefault(height: Int, width: Int, channels: Int) -> Preprocessing {
        Preprocessing(height: height, width: width, channels: channels, resize: .bilinear, scale: 1 / 255, offset: 0)
    }

    /// Parses the `input` object of the metadata JSON (numbers may be any JSON number; `resize`
    /// defaults to `nearest`, `scale` to 1/255, `offset` to 0, `channels` to 3). Throws naming the
    /// field that is missing or out of range.
    public init(metadataInput object: [String: Any]) throws {
        func number(_ key: String) -> Double? {
            switch object[key] {
            case let v as Int: return Double(v)
            case let v as Double: return v
            case let v as Float: return Double(v)
            case let v as NSNumber: return v.doubleValue
            default: return nil
            }
        }
        func integer(_ key: String, default value: Int? = nil) throws -> Int {
            guard let v = number(key) ?? value.map(Double.init) else {
                throw ImageError(.invalidArgument, "metadata input: missing \"\(key)\"")
            }
            guard v == v.rounded(), v >= 1, v <= 65_535 else {
                throw ImageError(.invalidArgument, "metadata input: \"\(key)\" must be a positive integer, not \(v)")
            }
            return Int(v)
        }
        height = try integer("height")
        width = try integer("width")
        channels = try integer("channels", default: 3)
        guard channels == 1 || channels == 3 else {
            throw ImageError(.invalidArgument, "metadata input: \"channels\" must be 1 or 3, not \(channels)")
        }
        if let name = object["resize"] {
            guard let s = name as? String, let method = ResizeMethod(rawValue: s) else {
                throw ImageError(.invalidArgument, "metadata input: \"resize\" must be one of \(ResizeMethod.allCases.map(\.rawValue).joined(separator: ", ")), not \(name)")
            }
            resize = method
        } else {
            resize = .nearest
        }
        if object["scale"] != nil && number("scale") == nil { throw ImageError(.invalidArgument, "metadata input: \"scale\" must be a number") }
        if object["offset"] != nil && number("offset") == nil { throw ImageError(.invalidArgument, "metadata input: \"offset\" must be a number") }
        scale = Float(number("scale") ?? 1.0 / 255.0)
        offset = Float(number("offset") ?? 0)
        guard scale.isFinite, offset.isFinite else { throw ImageError(.invalidArgument, "metadata input: scale and offset must be finite") }
    }

    /// Parses the `input` object out of a whole `mote` metadata JSON document
    /// (`TFLiteModel.moteMetadataJSON`); nil when the document has no `input`.
    public init?(metadataJSON bytes: [UInt8]) throws {
        guard let root = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw ImageError(.invalidArgument, "mote metadata is not a JSON object")
        }
        guard let input = root["input"] else { return nil }
        guard let object = input as? [String: Any] else { throw ImageError(.invalidArgument, "metadata \"input\" is not an object") }
        try self.init(metadataInput: object)
    }

    /// The `input` object for the metadata JSON (the reverse of `init(metadataInput:)`).
    public var metadataInput: [String: Any] {
        ["height": height, "width": width, "channels": channels, "resize": resize.rawValue,
         "scale": Double(scale), "offset": Double(offset)]
    }

    /// Number of floats one preprocessed image takes: `height · width · channels`.
    public var elementCount: Int { height * width * channels }

    /// Decodes, converts, resizes and scales the file at `path` (errors name the path).
    public func load(path: String) throws -> [Float] {
        load(try JPEG.decode(path: path, channels: channels))
    }

    /// Converts to `channels`, resizes with `resize` and returns `pixel × scale + offset`, HWC.
    public func load(_ image: Image) -> [Float] {
        var out = [Float](repeating: 0, count: elementCount)
        out.withUnsafeMutableBufferPointer { load(image, into: $0) }
        return out
    }

    /// `load(_:)` into a caller buffer of at least `elementCount` floats.
    public func load(_ image: Image, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(output.count >= elementCount, "Preprocessing.load: buffer of \(output.count) floats for \(elementCount)")
        let sized = image.converted(channels: channels).resized(width: width, height: height, method: resize)
        sized.pixels.withUnsafeBufferPointer { Preprocessing.scale($0, into: output, scale: scale, offset: offset) }
    }

    /// `out[i] = Float(in[i]) × scale + offset` for every sample (one multiply-add, in Float).
    @inlinable public static func scale(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Float>, scale: Float, offset: Float) {
        for i in 0..<input.count { output[i] = Float(input[i]) * scale + offset }
    }
}
