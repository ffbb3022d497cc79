/// A subcommand of `mote`: its specification (which also gives its `--help`) and its body.
/// `run` throws `UsageError` (exit 1) or `CLIError` (exit 2); success is exit 0.
protocol Command {
    static var spec: CommandSpec { get }
    static func run(_ args: ParsedArguments) throws
}

/// Ends a command with `code` after it printed its own report (nothing more is printed).
struct ExitStatus: Error {
    let code: Int32
}
