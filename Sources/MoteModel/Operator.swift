import MoteCore

/// An operator code (`table OperatorCode`): which operator, which version of it.
public struct OperatorCode: Equatable, Sendable {
    /// `deprecated_builtin_code`: the builtin code as a byte, for readers older than schema
    /// 3a (values 0...126; 127 = `PLACEHOLDER_FOR_GREATER_OP_CODES` for larger codes).
    public var deprecatedBuiltinCode: Int8
    /// The custom operator's name (for `CUSTOM`), if present.
    public var customCode: String?
    /// The operator version (default 1): bumped whenever an operator gains parameters.
    public var version: Int32
    /// `builtin_code`: the full `BuiltinOperator` value (0 in files older than schema 3a).
    public var builtinCode: Int32

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(deprecatedBuiltinCode: Int8, customCode: String? = nil, version: Int32 = 1, builtinCode: Int32) {
        self.deprecatedBuiltinCode = deprecatedBuiltinCode
        self.customCode = customCode
        self.version = version
        self.builtinCode = builtinCode
    }

    /// An operator code for `builtin` with both code fields filled as TF's converter does
    /// (`deprecated_builtin_code` = min(builtin, 127)).
    public init(builtin: Int32, version: Int32 = 1, customCode: String? = nil) {
        self.init(deprecatedBuiltinCode: Int8(clamping: min(builtin, 127)), customCode: customCode,
                  version: version, builtinCode: builtin)
    }

    /// The builtin operator as TFLite reads it (`GetBuiltinCode`): the larger of
    /// `builtin_code` and `deprecated_builtin_code`.
    public var builtinOperator: Int32 { max(builtinCode, Int32(deprecatedBuiltinCode)) }

    /// The operator's schema name (`CONV_2D`, ...), or the custom code for custom operators.
    public var name: String {
        if builtinOperator == BuiltinOperatorNames.custom, let customCode { return customCode }
        return BuiltinOperatorNames.name(of: builtinOperator)
    }
}

/// An operator (`table Operator`): an operator code, input and output tensors, and options.
public struct Operator: Equatable, Sendable {
    /// Index into `TFLiteModel.operatorCodes`.
    public var opcodeIndex: Int
    /// Input tensor indices; -1 marks an omitted optional input.
    public var inputs: [Int]
    /// Output tensor indices.
    public var outputs: [Int]
    /// The builtin options (union `BuiltinOptions`).
    public var builtinOptions: BuiltinOptions
    /// `custom_options`: opaque bytes (FlexBuffers for custom operators), if present.
    public var customOptions: [UInt8]?
    /// `custom_options_format` (0 = FLEXBUFFERS).
    public var customOptionsFormat: Int8
    /// `mutating_variable_inputs`: which inputs the operator mutates, if present.
    public var mutatingVariableInputs: [Bool]?
    /// `intermediates`: tensors internal to the operator (LSTM gates), if present.
    public var intermediates: [Int]?
    /// `builtin_options_2` (the second options union, used by StableHLO operators), if present.
    public var builtinOptions2: GenericOptions?

    /// A value with the given fields; parameters default to the schema's defaults.
    public init(opcodeIndex: Int, inputs: [Int], outputs: [Int], builtinOptions: BuiltinOptions = .none,
                customOptions: [UInt8]? = nil, customOptionsFormat: Int8 = 0, mutatingVariableInputs: [Bool]? = nil,
                intermediates: [Int]? = nil, builtinOptions2: GenericOptions? = nil) {
        self.opcodeIndex = opcodeIndex
        self.inputs = inputs
        self.outputs = outputs
        self.builtinOptions = builtinOptions
        self.customOptions = customOptions
        self.customOptionsFormat = customOptionsFormat
        self.mutatingVariableInputs = mutatingVariableInputs
        self.intermediates = intermediates
        self.builtinOptions2 = builtinOptions2
    }
}
