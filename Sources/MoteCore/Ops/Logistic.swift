/// LOGISTIC on int8 tensors, as TFLite's reference kernel (versions 1-3; version 3 is int16,
/// rejected by type): a 256-entry table built in prepare from the float function
/// `1 / (1 + exp(-x))` (see `LogisticTanhTable`), looked up in eval.
///
/// The output scale must be exactly 1/256 (TFLite's check); the output zero point is used as
/// given (the converter writes -128). Rejected: non-int8 tensors, an output shape other than
/// the input's, missing or non-positive quantization.
public enum LogisticKernel: OperatorKernel {
    public typealias Params = LogisticTanhTable.Lookup

    public static var maxVersion: Int32 { 3 }

    public static func persistentBytes(_ ctx: borrowing PrepareContext) -> Int { LogisticTanhTable.bytes }

    public static func prepare(_ ctx: inout PrepareContext) throws(MoteError) -> Params {
        try LogisticTanhTable.prepare(&ctx, .logistic)
    }

    public static func eval(_ ctx: borrowing EvalContext, _ params: Params) {
        LogisticTanhTable.apply(params, input: ctx.input(0, as: Int8.self), output: ctx.output(0, as: Int8.self))
    }
}
