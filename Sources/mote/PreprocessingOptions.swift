import Foundation
import MoteImage
import MoteModel

/// The options that say how images become a model's input (`--size`, `--resize`, `--scale`,
/// `--offset`), shared by every command that feeds images to a model. A model's `mote` metadata
/// gives the defaults; options override it; without either, the input tensor's height, width and
/// channels are used with Keras' recipe (`nearest`, pixels × 1/255).
enum PreprocessingOptions {
    static let specs: [OptionSpec] = [
        OptionSpec(name: "resize", valueName: "nearest|bilinear|area",
                   help: "resampling to the input size, as Pillow's (default: the model's metadata, else nearest)"),
        OptionSpec(name: "size", valueName: "N|HxW", help: "input height and width (default: the model's input tensor)"),
        OptionSpec(name: "scale", valueName: "S", help: "float input = pixel × S + offset (default: metadata, else 1/255)"),
        OptionSpec(name: "offset", valueName: "O", help: "see --scale (default: metadata, else 0)"),
    ]

    /// The preprocessing for `model`, whose input tensor is `[1, H, W, C]`.
    static func resolve(_ args: ParsedArguments, model: TFLiteModel, path: String) throws -> Preprocessing {
        let graph = model.subgraphs[0]
        let shape = graph.tensors[graph.inputs[0]].shape
        guard shape.count == 4 else { throw CLIError.input("'\(path)': the input is not an image batch [1, H, W, C]") }
        var p: Preprocessing
        if let json = model.moteMetadataJSON, let meta = try? Preprocessing(metadataJSON: json) {
            p = meta
        } else {
            p = Preprocessing(height: shape[1], width: shape[2], channels: shape[3], resize: .nearest,
                              scale: 1 / 255, offset: 0)
        }
        if let r = args.value("resize") {
            guard let method = ResizeMethod(rawValue: r) else {
                throw args.usage("--resize must be nearest, bilinear or area, not '\(r)'")
            }
            p.resize = method
        }
        if let s = args.value("size") {
            let parts = s.lowercased().split(separator: "x").map { Int($0) }
            guard (parts.count == 1 || parts.count == 2), parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
                throw args.usage("--size must be N or HxW with positive integers, not '\(s)'")
            }
            p.height = parts[0]!
            p.width = parts.count == 2 ? parts[1]! : parts[0]!
        }
        if let s = args.value("scale") {
            guard let v = Float(s), v.isFinite, v != 0 else { throw args.usage("--scale must be a non-zero number, not '\(s)'") }
            p.scale = v
        }
        if let s = args.value("offset") {
            guard let v = Float(s), v.isFinite else { throw args.usage("--offset must be a number, not '\(s)'") }
            p.offset = v
        }
        guard p.height == shape[1], p.width == shape[2], p.channels == shape[3] else {
            throw CLIError.input("'\(path)' takes \(shape[1])×\(shape[2])×\(shape[3]) images, the preprocessing gives "
                + "\(p.height)×\(p.width)×\(p.channels)")
        }
        return p
    }
}
