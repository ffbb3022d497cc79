import Foundation

/// An affine map from output pixel (row r, column c) to the input position sampled there:
/// `row = m00·r + m01·c + t0`, `col = m10·r + m11·c + t1` (scipy.ndimage's `affine_transform`
/// convention: input = M · output + offset, pixel centres at integers).
public struct AffineMap: Sendable, Equatable {
    public var m00: Double, m01: Double, m10: Double, m11: Double
    public var t0: Double, t1: Double

    public init(m00: Double, m01: Double, m10: Double, m11: Double, t0: Double, t1: Double) {
        self.m00 = m00; self.m01 = m01; self.m10 = m10; self.m11 = m11; self.t0 = t0; self.t1 = t1
    }

    public static let identity = AffineMap(m00: 1, m01: 0, m10: 0, m11: 1, t0: 0, t1: 0)

    public var isIdentity: Bool { self == AffineMap.identity }

    /// The input position sampled at output (r, c).
    public func apply(row r: Double, col c: Double) -> (row: Double, col: Double) {
        (m00 * r + m01 * c + t0, m10 * r + m11 * c + t1)
    }

    /// Keras' `apply_affine_transform` for an H×W image followed by its flips, as one map.
    /// With L = R(θ)·Shear(s)·Zoom(zx, zy), R = [[cos θ, −sin θ], [sin θ, cos θ]],
    /// Shear = [[1, −sin s], [0, cos s]], the centre o = (H/2 − ½, W/2 − ½)
    /// (`transform_matrix_offset_center`) and the shift (tx, ty):
    /// input = L·(p − o) + R·(tx, ty) + o, where p is the output pixel before the flips
    /// (a horizontal flip reads column W−1−c, a vertical one row H−1−r). Rows and columns are
    /// kept in that order (keras-preprocessing's form, also ../shared/tools/keras_seed.py's);
    /// Keras 3's legacy copy swaps them for channels-last images, which mirrors θ and exchanges
    /// the two shifts: the same distribution for square images with equal shift ranges.
    public static func keras(_ p: AugmentationParameters, height: Int, width: Int) -> AffineMap {
        let theta = p.theta * Double.pi / 180, shear = p.shear * Double.pi / 180
        let c = cos(theta), s = sin(theta), ss = sin(shear), cs = cos(shear)
        // L = R · Shear · Zoom.
        let l00 = c * p.zx, l01 = (-c * ss - s * cs) * p.zy
        let l10 = s * p.zx, l11 = (-s * ss + c * cs) * p.zy
        let or = Double(height) / 2 - 0.5, oc = Double(width) / 2 - 0.5
        var map = AffineMap(m00: l00, m01: l01, m10: l10, m11: l11,
                            t0: c * p.tx - s * p.ty + or - (l00 * or + l01 * oc),
                            t1: s * p.tx + c * p.ty + oc - (l10 * or + l11 * oc))
        if p.theta == 0 && p.shear == 0 && p.zx == 1 && p.zy == 1 { map = AffineMap(m00: 1, m01: 0, m10: 0, m11: 1, t0: p.tx, t1: p.ty) }
        // A flip reads the pre-flip output at W−1−c (H−1−r): substitute into the map.
        if p.flipHorizontal {
            map.t0 += map.m01 * Double(width - 1); map.m01 = -map.m01
            map.t1 += map.m11 * Double(width - 1); map.m11 = -map.m11
        }
        if p.flipVertical {
            map.t0 += map.m00 * Double(height - 1); map.m00 = -map.m00
            map.t1 += map.m10 * Double(height - 1); map.m10 = -map.m10
        }
        return map
    }
}
