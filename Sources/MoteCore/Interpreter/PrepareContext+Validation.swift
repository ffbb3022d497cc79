/// Checks shared by the kernels' prepare steps, each failing with a located, specific error.
extension PrepareContext {
    /// The tensor has type `type`.
    public func require(_ t: TensorInfo, type: TensorType, _ message: StaticString = "unexpected tensor type") throws(MoteError) {
        guard t.type == type else { throw error(.typeMismatch, message, tensor: t.index) }
    }

    /// The tensor's declared shape equals `shape`.
    public func require(_ t: TensorInfo, shape: TensorShape, _ message: StaticString = "declared shape differs from the computed one") throws(MoteError) {
        guard t.shape.equals(shape) else { throw error(.shapeMismatch, message, tensor: t.index) }
    }

    /// The tensor's rank is `rank`.
    public func require(_ t: TensorInfo, rank: Int, _ message: StaticString = "unexpected tensor rank") throws(MoteError) {
        guard t.shape.rank == rank else { throw error(.shapeMismatch, message, tensor: t.index) }
    }

    /// The tensor has constant data.
    public func requireConstant(_ t: TensorInfo, _ message: StaticString = "tensor must be constant") throws(MoteError) {
        guard t.isConstant else { throw error(.invalidBuffer, message, tensor: t.index) }
    }

    /// The per-tensor scale and zero point of an int8 (or int16/int32) quantized tensor:
    /// a finite scale above zero and a zero point inside the type's range.
    public func quantization(_ t: TensorInfo) throws(MoteError) -> (scale: Double, zeroPoint: Int32) {
        guard t.scaleCount >= 1, t.quantization?.zeroPoint.count ?? 0 >= 1 else {
            throw error(.invalidQuantization, "missing quantization parameters", tensor: t.index)
        }
        let s = t.scale(0)
        guard s > 0, s.isFinite else { throw error(.invalidQuantization, "scale is zero, negative or not finite", tensor: t.index) }
        let zp = t.zeroPoint(0)
        let (lo, hi): (Int64, Int64)
        switch t.type {
        case .int8: (lo, hi) = (-128, 127)
        case .uint8: (lo, hi) = (0, 255)
        case .int16: (lo, hi) = (-32768, 32767)
        default: (lo, hi) = (-0x8000_0000, 0x7fff_ffff)
        }
        guard zp >= lo, zp <= hi else { throw error(.invalidQuantization, "zero point outside the type's range", tensor: t.index) }
        return (Double(s), Int32(truncatingIfNeeded: zp))
    }

    /// The int8 range `[min, max]` that a fused activation leaves, as TFLite's
    /// `CalculateActivationRangeQuantized` computes it (float division, C `round`).
    public func activationRange(_ raw: Int8, scale: Double, zeroPoint: Int32) throws(MoteError) -> (min: Int32, max: Int32) {
        guard let act = FusedActivation(rawValue: raw) else { throw error(.invalidOptions, "unknown fused activation") }
        let qmin: Int32 = -128, qmax: Int32 = 127
        let fs = Float(scale)
        func q(_ x: Float) -> Int32 { zeroPoint &+ FixedPoint.roundedInt32(Double(x / fs)) }
        switch act {
        case .none: return (qmin, qmax)
        case .relu: return (max(qmin, q(0)), qmax)
        case .relu6: return (max(qmin, q(0)), min(qmax, q(6)))
        case .reluN1To1: return (max(qmin, q(-1)), min(qmax, q(1)))
        case .tanh, .signBit: throw error(.invalidOptions, "fused TANH/SIGN_BIT activation is not supported on int8")
        }
    }
}
