import Foundation
import MoteModel

/// The `calibration` entry added to the model's `mote` metadata (the rest of the entry, e.g.
/// preprocessing and class names, is carried over unchanged):
/// `{"recipe": {...every recipe field...}, "samples": N, "seed": S, "observer": "minmax",
///   "tensors": [{"index", "name", "min", "max", "scale", "zero_point", "clipped"}],
///   "recovery": {"batch_norm_folds", "cross_layer_equalization", "bias_correction"}}`,
/// where `min`/`max` are the real range the tensor's codes represent.
public enum CalibrationMetadata {
    static func attach(_ r: QuantizationReport, to model: inout TFLiteModel) throws(QuantError) {
        var root: [String: Any] = [:]
        if let json = model.moteMetadataJSON {
            guard let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
                throw .invalidModel("the float model's mote metadata is not a JSON object")
            }
            root = object
        }
        let tensors: [[String: Any]] = r.tensors.map {
            ["index": $0.tensor, "name": $0.name, "min": Double($0.representableMin), "max": Double($0.representableMax),
             "scale": Double($0.scale), "zero_point": Int($0.zeroPoint), "clipped": $0.clippedFraction]
        }
        let recovery: [String: Any] = [
            "batch_norm_folds": r.batchNormFolds.map { ["into": $0.into, "op": $0.op] },
            "cross_layer_equalization": r.equalization.map {
                ["depthwise": $0.depthwise, "pointwise": $0.pointwise, "spread_before": $0.depthwiseSpreadBefore,
                 "spread_after": $0.depthwiseSpreadAfter]
            },
            "threshold_rounding": r.thresholdRounding.map { ["op": $0.op, "output": $0.output, "bias_delta": $0.biasDelta] },
            "bias_correction": r.biasCorrection.map {
                ["op": $0.op, "output": $0.output, "max_mean_error": $0.maxMeanError, "mean_abs_error": $0.meanAbsError,
                 "max_bias_delta": $0.maxBiasDelta]
            },
        ]
        root["calibration"] = ["recipe": r.recipe.jsonObject, "samples": r.samples, "seed": r.recipe.seed,
                               "observer": r.recipe.observer.rawValue, "tensors": tensors, "recovery": recovery] as [String: Any]
        guard let data = try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys]) else {
            throw .invalidModel("cannot encode the calibration summary")
        }
        model.moteMetadataJSON = [UInt8](data)
    }
}
