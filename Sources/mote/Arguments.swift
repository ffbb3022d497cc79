import MoteCore
/// What a command accepts: positional arguments, options with values, and flags. The parser
/// and the `--help` text are both generated from it, so they cannot disagree.
struct CommandSpec {
    /// The command word (`run`).
    let name: String
    /// One line for `mote help`.
    let summary: String
    /// Positional arguments, in order (all required), e.g. `MODEL.tflite`.
    let positionals: [(name: String, help: String)]
    let options: [OptionSpec]
    /// Paragraphs printed after the option list.
    let discussion: String

    /// `mote run MODEL.tflite --input IN.bin ...`: required options first, optional ones in brackets.
    var synopsis: String {
        var parts = ["mote", name] + positionals.map(\.name)
        for o in options where o.required {
            parts.append(o.usage + (o.repeatable ? " [\(o.usage) ...]" : ""))
        }
        for o in options where !o.required { parts.append("[\(o.usage)]") }
        return parts.joined(separator: " ")
    }

    /// The full `--help` text.
    var help: String {
        var lines = ["usage: \(synopsis)", "", summary, ""]
        if !positionals.isEmpty {
            lines.append("arguments:")
            var table = TextTable([("", .left), ("", .left)])
            for p in positionals { table.add([p.name, p.help]) }
            lines += table.render(header: false).split(separator: "\n").map(String.init)
            lines.append("")
        }
        lines.append("options:")
        var table = TextTable([("", .left), ("", .left)])
        for o in options + [OptionSpec.help] {
            let names = (o.short.map { "-\($0), " } ?? "") + o.usage
            table.add([names, o.help])
        }
        lines += table.render(header: false).split(separator: "\n").map(String.init)
        if !discussion.isEmpty { lines += ["", discussion] }
        return lines.joined(separator: "\n")
    }
}

/// One option: `--name VALUE` (or `--name=VALUE`) when `valueName` is set, else a flag.
struct OptionSpec {
    let name: String
    var short: Character? = nil
    var valueName: String? = nil
    var required = false
    var repeatable = false
    let help: String

    var usage: String { "--\(name)" + (valueName.map { " \($0)" } ?? "") }

    static let help = OptionSpec(name: "help", short: "h", help: "show this help and exit")
    static let json = OptionSpec(name: "json", help: "print the result as JSON on standard output (errors too)")
    static let memory = OptionSpec(name: "memory", valueName: "compact|fast",
                                   help: "kernels' use of the arena: 'compact' (least memory, as on a microcontroller) or 'fast' (default)")
}

/// A usage error: exit code 1, the message and the command's synopsis on standard error.
struct UsageError: Error {
    let message: String
    /// The command whose usage to print, nil for the tool's overview.
    let command: CommandSpec?
}

/// The parsed command line of one command.
struct ParsedArguments {
    let spec: CommandSpec
    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var flags: Set<String> = []
    /// `-h` or `--help` was given (everything else is then ignored).
    private(set) var wantsHelp = false

    /// Parses `args` (the words after the command name). `--` ends the options; an option's
    /// value is the next word even if it starts with `-`.
    init(_ args: [String], spec: CommandSpec) throws(UsageError) {
        self.spec = spec
        // Help wins over every other problem on the line, as long as it is not after `--`.
        if args.prefix(while: { $0 != "--" }).contains(where: { $0 == "-h" || $0 == "--help" }) {
            wantsHelp = true
            return
        }
        var i = 0
        var onlyPositionals = false
        while i < args.count {
            let word = args[i]
            i += 1
            if onlyPositionals || word == "-" || !word.hasPrefix("-") {
                positionals.append(word)
                continue
            }
            if word == "--" { onlyPositionals = true; continue }
            var name: String
            var inlineValue: String? = nil
            if word.hasPrefix("--") {
                name = String(word.dropFirst(2))
                if let eq = name.firstIndex(of: "=") {
                    inlineValue = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
            } else {
                guard word.count == 2, let option = spec.options.first(where: { $0.short == word.last }) else {
                    throw usage("unknown option '\(word)'")
                }
                name = option.name
            }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw usage("unknown option '--\(name)'")
            }
            if option.valueName != nil {
                let value: String
                if let inlineValue { value = inlineValue } else {
                    guard i < args.count else { throw usage("option '--\(name)' needs a value (\(option.usage))") }
                    value = args[i]
                    i += 1
                }
                if values[name] != nil && !option.repeatable {
                    throw usage("option '--\(name)' given more than once")
                }
                values[name, default: []].append(value)
            } else {
                guard inlineValue == nil else { throw usage("option '--\(name)' takes no value") }
                flags.insert(name)
            }
        }
        if positionals.count < spec.positionals.count {
            let missing = spec.positionals[positionals.count...].map(\.name).joined(separator: " ")
            throw usage("missing argument \(missing)")
        }
        if positionals.count > spec.positionals.count {
            throw usage("unexpected argument '\(positionals[spec.positionals.count])'")
        }
        for o in spec.options where o.required && values[o.name] == nil {
            throw usage("missing required option \(o.usage)")
        }
    }

    func usage(_ message: String) -> UsageError { UsageError(message: message, command: spec) }

    /// Positional argument `i`.
    func positional(_ i: Int) -> String { positionals[i] }

    /// Whether flag `--name` was given.
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// Every value of a repeatable option, in order.
    func values(_ name: String) -> [String] { values[name] ?? [] }

    /// The value of `--name`, if given.
    func value(_ name: String) -> String? { values[name]?.last }

    /// `--name` as an integer in `range`, or `defaultValue` when absent.
    func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = value(name) else { return defaultValue }
        guard let n = Int(text.filter { $0 != "_" && $0 != "," }) else {
            throw usage("option '--\(name)' needs an integer, got '\(text)'")
        }
        guard range.contains(n) else {
            throw usage("option '--\(name)' must be in \(range.lowerBound)...\(range.upperBound), got \(n)")
        }
        return n
    }

    /// `--memory`: the interpreter's memory policy (`fast` when absent).
    func memoryPolicy() throws(UsageError) -> Interpreter.MemoryPolicy {
        switch value("memory") {
        case nil, "fast": return .fast
        case "compact": return .compact
        case let other?: throw usage("option '--memory' takes 'compact' or 'fast', got '\(other)'")
        }
    }

    /// `--name` as a byte count: digits with an optional `K`/`KiB`, `M`/`MiB` or `G`/`GiB`
    /// suffix (powers of 1024), e.g. `65536`, `64K`, `1.5M`; nil when absent.
    func byteCount(_ name: String) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let n = ParsedArguments.parseBytes(text), n > 0 else {
            throw usage("option '--\(name)' needs a positive byte count such as 65536, 64K or 2M, got '\(text)'")
        }
        return n
    }

    static func parseBytes(_ text: String) -> Int? {
        var digits = text.filter { $0 != "_" && $0 != "," }
        var multiplier = 1.0
        let kib = 1024.0, mib = kib * 1024, gib = mib * 1024
        let suffixes: [(String, Double)] = [("KIB", kib), ("MIB", mib), ("GIB", gib), ("KB", kib), ("MB", mib), ("GB", gib),
                                            ("K", kib), ("M", mib), ("G", gib), ("B", 1)]
        for (suffix, m) in suffixes where digits.uppercased().hasSuffix(suffix) {
            digits = String(digits.dropLast(suffix.count))
            multiplier = m
            break
        }
        if multiplier == 1, let n = Int(digits) { return n }
        guard let x = Double(digits), x.isFinite, x >= 0, x * multiplier < Double(Int.max / 2) else { return nil }
        return Int((x * multiplier).rounded(.up))
    }
}
