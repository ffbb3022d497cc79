import Foundation

/// The `mote` command line: dispatches to a command, prints help, turns failures into
/// messages on standard error and exit codes (0 success, 1 usage error, 2 input or model error).
enum MoteTool {
    // One command per line, in the order `mote help` lists them.
    static let commands: [any Command.Type] = [
        TrainCommand.self,
        EvalCommand.self,
        QuantizeCommand.self,
        RunCommand.self,
        InspectCommand.self,
        BenchCommand.self,
        SimulateCommand.self,
        ReportCommand.self,
        DemoCommand.self,
    ]

    static let usageExitCode: Int32 = 1

    static var overview: String {
        var table = TextTable([("", .left), ("", .left)])
        for c in commands { table.add([c.spec.name, c.spec.summary]) }
        table.add(["help", "show this overview, or 'mote help COMMAND' for a command's options"])
        let commandLines = table.render(header: false)
        return """
            usage: mote COMMAND [ARGUMENTS] [OPTIONS]

            Mote takes a convolutional network from photographs to a microcontroller: it trains a float
            model, quantizes it to int8 (.tflite), runs it with its fixed-point core (MoteCore) in one
            arena of memory, on the host or as firmware under QEMU, and reports what quantization cost.
            'mote demo' runs the whole path on built-in data.

            commands:
            \(commandLines)

            Every command takes -h/--help; most take --json for machine-readable output.
            exit codes: 0 success, 1 usage error (message and usage on standard error),
                        2 input or model error (unreadable file, wrong input size, a model the core rejects);
                        simulate and report add their own (see their --help)
            """
    }

    /// Runs the command line `argv` (including the program name) and returns the exit code.
    static func main(_ argv: [String]) -> Int32 {
        let args = Array(argv.dropFirst())
        guard let first = args.first else {
            Console.err(overview)
            return usageExitCode
        }
        if first == "-h" || first == "--help" {
            Console.out(overview)
            return 0
        }
        if first == "help" {
            guard args.count > 1 else {
                Console.out(overview)
                return 0
            }
            guard args.count == 2, let command = commands.first(where: { $0.spec.name == args[1] }) else {
                return report(UsageError(message: args.count == 2 ? "unknown command '\(args[1])'" : "'mote help' takes at most one command name", command: nil))
            }
            Console.out(command.spec.help)
            return 0
        }
        guard let command = commands.first(where: { $0.spec.name == first }) else {
            let message = first.hasPrefix("-") ? "unknown option '\(first)' (options go after the command)" : "unknown command '\(first)'"
            return report(UsageError(message: message, command: nil))
        }
        let rest = Array(args.dropFirst())
        let json = rest.prefix(while: { $0 != "--" }).contains("--json")
        do {
            let parsed = try ParsedArguments(rest, spec: command.spec)
            if parsed.wantsHelp {
                Console.out(command.spec.help)
                return 0
            }
            try command.run(parsed)
            return 0
        } catch let status as ExitStatus {
            return status.code
        } catch let error as UsageError {
            return report(error)
        } catch let error as CLIError {
            Console.err("mote \(command.spec.name): error: \(error.message)")
            if json { Console.out(JSONValue.object([("error", error.json)]).rendered()) }
            return CLIError.exitCode
        } catch {
            Console.err("mote \(command.spec.name): error: \(error)")
            return CLIError.exitCode
        }
    }

    static func report(_ error: UsageError) -> Int32 {
        if let spec = error.command {
            Console.err("mote \(spec.name): \(error.message)\nusage: \(spec.synopsis)\nRun 'mote \(spec.name) --help' for the options.")
        } else {
            Console.err("mote: \(error.message)\n\n\(overview)")
        }
        return usageExitCode
    }
}
